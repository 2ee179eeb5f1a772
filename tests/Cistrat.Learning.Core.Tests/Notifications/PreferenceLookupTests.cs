using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Core.Tests.Content;

namespace Cistrat.Learning.Core.Tests.Notifications;

public sealed class PreferenceLookupTests
{
    private static NotificationPreference Stored(string kind, bool enabled, bool inDigest = false) =>
        new() { UserId = "ana", Kind = kind, Enabled = enabled, InDigest = inDigest };

    [Theory]
    [InlineData(MailKinds.AccountConfirmation)]
    [InlineData(MailKinds.PasswordReset)]
    public void Decide_SendsEssentialMail_WhateverWasStored(string kind)
    {
        Assert.Equal(Delivery.Alone, PreferenceLookup.Decide(null, kind));
        Assert.Equal(Delivery.Alone, PreferenceLookup.Decide(Stored(kind, enabled: false), kind));
        Assert.Equal(Delivery.Alone, PreferenceLookup.Decide(Stored(kind, enabled: true, inDigest: true), kind));
    }

    [Theory]
    [InlineData(MailKinds.SessionReminder, Delivery.Alone)]
    [InlineData(MailKinds.SessionUpdate, Delivery.Alone)]
    [InlineData(MailKinds.InactivityNudge, Delivery.Alone)]
    [InlineData(MailKinds.Deadline, Delivery.Alone)]
    [InlineData(MailKinds.Announcement, Delivery.Alone)]
    [InlineData(MailKinds.Digest, Delivery.None)]
    public void Decide_WithNothingStored_FollowsTheKindsDefault(string kind, Delivery expected) =>
        Assert.Equal(expected, PreferenceLookup.Decide(null, kind));

    [Theory]
    [InlineData(MailKinds.SessionReminder)]
    [InlineData(MailKinds.InactivityNudge)]
    [InlineData(MailKinds.Deadline)]
    [InlineData(MailKinds.Announcement)]
    [InlineData(MailKinds.Digest)]
    public void Decide_SendsNothing_ForAKindTurnedOff(string kind)
    {
        Assert.Equal(Delivery.None, PreferenceLookup.Decide(Stored(kind, enabled: false), kind));
        Assert.Equal(Delivery.None, PreferenceLookup.Decide(Stored(kind, enabled: false, inDigest: true), kind));
    }

    [Theory]
    [InlineData(MailKinds.Deadline, Delivery.Digest)]
    [InlineData(MailKinds.Announcement, Delivery.Digest)]
    [InlineData(MailKinds.SessionReminder, Delivery.Alone)]
    [InlineData(MailKinds.SessionUpdate, Delivery.Alone)]
    [InlineData(MailKinds.InactivityNudge, Delivery.Alone)]
    [InlineData(MailKinds.Digest, Delivery.Alone)]
    public void Decide_CollectsIntoTheDigest_OnlyKindsThatMayGoThere(string kind, Delivery expected) =>
        Assert.Equal(expected, PreferenceLookup.Decide(Stored(kind, enabled: true, inDigest: true), kind));

    [Fact]
    public void Decide_TurnsOnTheDigest_WhenStoredAsEnabled() =>
        Assert.Equal(Delivery.Alone, PreferenceLookup.Decide(Stored(MailKinds.Digest, enabled: true), MailKinds.Digest));

    [Fact]
    public void Decide_RejectsAnUnknownKind() =>
        Assert.Throws<ArgumentException>(() => PreferenceLookup.Decide(null, "carrier-pigeon"));

    [Fact]
    public void MailKinds_LetOnlyNonEssentialKindsBeTurnedOff() =>
        Assert.Equal(
            [MailKinds.SessionReminder, MailKinds.SessionUpdate, MailKinds.InactivityNudge, MailKinds.Deadline, MailKinds.Announcement, MailKinds.Digest],
            MailKinds.Optional.Select(k => k.Name));
}

/// <summary>PreferenceLookup as the planners load it: stored rows for some kinds, defaults for everyone else.</summary>
public sealed class PreferenceLookupLoadTests(SqliteDatabase database) : IClassFixture<SqliteDatabase>, IAsyncLifetime
{
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private NotificationSeed Seed => new(database, _clock);

    public async ValueTask InitializeAsync() => await database.ResetAsync(Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Load_AnswersFromStoredRows_AndDefaultsForAnyoneWithout()
    {
        await Seed.UserAsync("ana");
        await Seed.UserAsync("ben");
        await Seed.PreferenceAsync("ana", MailKinds.Announcement, enabled: true, inDigest: true);
        await Seed.PreferenceAsync("ana", MailKinds.Deadline, enabled: false);
        await Seed.PreferenceAsync("ana", MailKinds.Digest, enabled: true);
        await using var db = Seed.CreateContext();

        var prefs = await PreferenceLookup.LoadAsync(db, [MailKinds.Announcement, MailKinds.Deadline, MailKinds.Digest], Ct);

        Assert.Equal((false, true, true), (prefs.SendsSingly("ana", MailKinds.Announcement), prefs.Wants("ana", MailKinds.Announcement), prefs.InDigest("ana", MailKinds.Announcement)));
        Assert.Equal((false, false), (prefs.SendsSingly("ana", MailKinds.Deadline), prefs.Wants("ana", MailKinds.Deadline)));
        Assert.True(prefs.SendsSingly("ana", MailKinds.Digest));
        Assert.Equal((true, false), (prefs.SendsSingly("ben", MailKinds.Announcement), prefs.InDigest("ben", MailKinds.Announcement)));
        Assert.True(prefs.SendsSingly("ben", MailKinds.Deadline));
        Assert.False(prefs.Wants("ben", MailKinds.Digest));
    }
}
