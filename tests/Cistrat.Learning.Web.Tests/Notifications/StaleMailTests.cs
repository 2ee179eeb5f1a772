using System.Globalization;
using System.Net;
using System.Text;
using Cistrat.Learning.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// Mail is planned ahead of sending; what changed in between wins. A reminder of a session that moved or was
/// cancelled, or of a kind the reader has since turned off, is skipped with its reason, never sent.
/// </summary>
public sealed class StaleMailTests(MailAppFactory app) : IClassFixture<MailAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetMailAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task ReminderOfASessionMovedOrCancelledAfterPlanning_IsSkipped_AndTheChangeIsMailedInstead()
    {
        var now = MailWorld.Now(app);
        var trainee = await MailWorld.PersonAsync(app, "Kwame Mensah");
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.EnrolAsync(app, cohort, trainee);
        var oldStart = now.AddHours(4);
        var moved = await MailWorld.SessionAsync(app, cohort, "Session to move", oldStart);
        var cancelled = await MailWorld.SessionAsync(app, cohort, "Session to cancel", oldStart);
        var kept = await MailWorld.SessionAsync(app, cohort, "Session kept", oldStart);
        Assert.Equal(3, await MailWorld.PlanSessionMailAsync(app));

        var newStart = oldStart.AddHours(1);
        await MailWorld.MoveAsync(app, moved.Id, newStart);
        await MailWorld.CancelAsync(app, cancelled.Id);
        var result = await app.DispatchAsync();
        Assert.Equal((1, 2), (result.Sent, result.Skipped));

        var rows = await MailWorld.OutboxAsync(app);
        Assert.Equal("The session was moved after this reminder was planned.", Single(rows, moved.Id).LastError);
        Assert.Equal(MailStatus.Skipped, Single(rows, moved.Id).Status);
        Assert.Equal("The session was cancelled after this reminder was planned.", Single(rows, cancelled.Id).LastError);
        Assert.Equal(MailStatus.Skipped, Single(rows, cancelled.Id).Status);
        Assert.Equal(MailStatus.Sent, Single(rows, kept.Id).Status);
        Assert.StartsWith($"Reminder: {kept.Title}, ", Assert.Single(app.Smtp.Messages).Subject, StringComparison.Ordinal);

        // Once the changes have settled, the next sweep announces them; nothing shows the old time of the moved session.
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.True(await MailWorld.PlanSessionMailAsync(app) >= 2);
        Assert.Equal(0, (await app.DispatchAsync()).Skipped);

        var oldTime = oldStart.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        var newTime = newStart.ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture);
        var aboutMoved = app.Smtp.Messages.Where(m => (m.Subject ?? "").Contains(moved.Title, StringComparison.Ordinal)).ToList();
        Assert.Contains(aboutMoved, m => m.Subject == $"Changed: {moved.Title}, {newTime} (Etc/UTC)");
        Assert.All(aboutMoved, m =>
        {
            Assert.DoesNotContain(oldTime, m.Html(), StringComparison.Ordinal);
            Assert.Contains(newTime, m.Html(), StringComparison.Ordinal);
            Assert.Contains("SEQUENCE:1\r\n", m.Calendar().Text, StringComparison.Ordinal);
        });

        var aboutCancelled = Assert.Single(app.Smtp.Messages, m => (m.Subject ?? "").Contains(cancelled.Title, StringComparison.Ordinal));
        Assert.Equal($"Cancelled: {cancelled.Title}", aboutCancelled.Subject);
        var ics = aboutCancelled.Calendar().Text;
        Assert.Contains("STATUS:CANCELLED\r\n", ics, StringComparison.Ordinal);
        Assert.Contains("SEQUENCE:1\r\n", ics, StringComparison.Ordinal);
        Assert.Contains($"UID:session-{cancelled.Uid:N}@cistrat.learning\r\n", ics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReaderWhoUnsubscribedByOneClickAfterPlanning_IsSkipped_OthersStillGetTheirs()
    {
        var now = MailWorld.Now(app);
        var leaving = await MailWorld.PersonAsync(app, "Leaving Reader");
        var staying = await MailWorld.PersonAsync(app, "Staying Reader");
        var cohort = await MailWorld.CohortAsync(app);
        await MailWorld.EnrolAsync(app, cohort, leaving);
        await MailWorld.EnrolAsync(app, cohort, staying);
        await MailWorld.SessionAsync(app, cohort, "First session", now.AddHours(2));
        Assert.Equal(2, await MailWorld.PlanSessionMailAsync(app));
        Assert.Equal(2, (await app.DispatchAsync()).Sent);
        var first = Assert.Single(app.Smtp.To(leaving.Email));

        var second = await MailWorld.SessionAsync(app, cohort, "Second session", now.AddHours(3));
        Assert.Equal(2, await MailWorld.PlanSessionMailAsync(app));

        // The reader's mail program uses the header (RFC 8058): a POST with no cookie and no antiforgery token.
        var unsubscribe = new Uri((first.Headers[HeaderId.ListUnsubscribe] ?? "").Trim('<', '>'));
        using (var client = app.CreateBrowser())
        using (var body = new StringContent("List-Unsubscribe=One-Click", Encoding.UTF8, "application/x-www-form-urlencoded"))
        {
            var response = await client.PostAsync(new Uri(unsubscribe.PathAndQuery, UriKind.Relative), body, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var preference = await app.WithDbAsync(db => db.NotificationPreferences.AsNoTracking().SingleAsync(p => p.UserId == leaving.Id, Ct));
        Assert.Equal((MailKinds.SessionReminder, false), (preference.Kind, preference.Enabled));

        var result = await app.DispatchAsync();
        Assert.Equal((1, 1), (result.Sent, result.Skipped));
        var skipped = Assert.Single(await MailWorld.OutboxAsync(app), r => r.Status == MailStatus.Skipped);
        Assert.Equal((leaving.Id, "The recipient turned this kind of mail off."), (skipped.UserId, skipped.LastError));
        Assert.Contains(second.Title, MailComposerRead(skipped), StringComparison.Ordinal);
        Assert.Single(app.Smtp.To(leaving.Email));
        Assert.Equal(2, app.Smtp.To(staying.Email).Count);

        // And the next sweep plans nothing more of that kind for them.
        await MailWorld.SessionAsync(app, cohort, "Third session", now.AddHours(4));
        Assert.Equal(1, await MailWorld.PlanSessionMailAsync(app));
    }

    private static OutgoingMail Single(List<OutgoingMail> rows, int sessionId) =>
        Assert.Single(rows, r => r.Kind == MailKinds.SessionReminder && r.Key.StartsWith($"session-reminder:{sessionId}:", StringComparison.Ordinal));

    private static string MailComposerRead(OutgoingMail row) => Cistrat.Learning.Web.Features.Notifications.MailComposer.Read<SessionMailModel>(row).Title;

}
