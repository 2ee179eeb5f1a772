using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// The outbox against a real SMTP server that goes away, refuses an address, or outlives the process that talked to
/// it: every message arrives, and arrives once; what cannot be helped (the one message in flight when the process
/// died) is repeated with the same Message-ID.
/// </summary>
public sealed class MailDeliveryFaultTests(MailAppFactory app) : IClassFixture<MailAppFactory>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetMailAsync();

    public async ValueTask DisposeAsync()
    {
        app.Faults.Clear();
        await app.Smtp.StartAsync();
    }

    [Fact]
    public async Task SmtpDownForAWhile_MailWaitsWithBackoff_ThenEveryMessageArrivesOnce()
    {
        var trainees = await RemindersAsync(3);
        await app.Smtp.StopAsync();

        var firstTry = app.Clock.GetUtcNow().UtcDateTime;
        var result = await app.DispatchAsync();
        var firstDone = app.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal((0, 3, true), (result.Sent, result.Retried, result.ConnectionFailed));
        var rows = await MailWorld.OutboxAsync(app);
        Assert.All(rows, r =>
        {
            Assert.Equal((MailStatus.Pending, 1), (r.Status, r.Attempts));
            Assert.StartsWith("Could not connect to the mail server", r.LastError, StringComparison.Ordinal);
            Assert.InRange(r.NextAttemptAt, firstTry + TimeSpan.FromSeconds(30), firstDone + TimeSpan.FromSeconds(30));
            Assert.Null(r.ClaimToken);
        });

        // Not due yet: a dispatch now leaves them alone.
        Assert.Equal(new DispatchResult(), await app.DispatchAsync());
        Assert.All(await MailWorld.OutboxAsync(app), r => Assert.Equal(1, r.Attempts));

        app.Clock.Advance(TimeSpan.FromSeconds(31));
        var secondTry = app.Clock.GetUtcNow().UtcDateTime;
        Assert.Equal(3, (await app.DispatchAsync()).Retried);
        var secondDone = app.Clock.GetUtcNow().UtcDateTime;
        Assert.All(await MailWorld.OutboxAsync(app), r =>
        {
            Assert.Equal((MailStatus.Pending, 2), (r.Status, r.Attempts));
            Assert.InRange(r.NextAttemptAt, secondTry + TimeSpan.FromMinutes(1), secondDone + TimeSpan.FromMinutes(1));
        });

        await app.Smtp.StartAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(3, (await app.DispatchAsync()).Sent);
        Assert.Equal(new DispatchResult(), await app.DispatchAsync());

        Assert.All(await MailWorld.OutboxAsync(app), r =>
        {
            Assert.Equal((MailStatus.Sent, 3), (r.Status, r.Attempts));
            Assert.Null(r.LastError);
        });
        Assert.Equal(3, app.Smtp.Messages.Count);
        Assert.All(trainees, t => Assert.Single(app.Smtp.To(t.Email)));
        Assert.All(app.Smtp.CountByMessageId().Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task PermanentRefusal_MarksThatMailFailedWithTheReason_AndTheRestOfTheBatchStillGoes()
    {
        var trainees = await RemindersAsync(4);
        var refused = trainees[1];
        app.Smtp.Refuse(refused.Email);

        var result = await app.DispatchAsync();
        Assert.Equal((3, 1, 0), (result.Sent, result.Failed, result.Retried));

        var rows = await MailWorld.OutboxAsync(app);
        var failed = Assert.Single(rows, r => r.Status == MailStatus.Failed);
        Assert.Equal(refused.Id, failed.UserId);
        Assert.StartsWith("550 ", failed.LastError, StringComparison.Ordinal);
        Assert.Null(failed.SentAt);
        Assert.All(rows.Where(r => r != failed), r => Assert.Equal(MailStatus.Sent, r.Status));
        Assert.Empty(app.Smtp.To(refused.Email));
        Assert.All(trainees.Where(t => t != refused), t => Assert.Single(app.Smtp.To(t.Email)));

        // A failed mail is not tried again.
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(new DispatchResult(), await app.DispatchAsync());
        Assert.Equal(3, app.Smtp.Messages.Count);
    }

    [Fact]
    public async Task CrashAfterTheServerAcceptedAMessage_RepeatsAtMostThatMessage_WithTheSameMessageId()
    {
        await RemindersAsync(5);
        var rows = await MailWorld.OutboxAsync(app);
        var sends = 0;
        app.Faults.AfterSend = _ => ++sends == 3 ? throw new SimulatedCrashException() : Task.CompletedTask;

        await Assert.ThrowsAsync<SimulatedCrashException>(app.DispatchAsync);
        app.Faults.Clear();
        Assert.Equal(3, app.Smtp.Messages.Count);
        var inFlight = app.Services.GetRequiredService<MailComposer>().MessageIdOf(rows[2].Key);
        Assert.Equal(inFlight, app.Smtp.Messages[2].MessageId);
        var afterCrash = await MailWorld.OutboxAsync(app);
        Assert.Equal([MailStatus.Sent, MailStatus.Sent, MailStatus.Pending, MailStatus.Pending, MailStatus.Pending], afterCrash.Select(r => r.Status));
        Assert.All(afterCrash.Skip(2), r => Assert.NotNull(r.ClaimedUntil));

        // The dead run's claim holds its rows until it runs out; then the next run takes them.
        Assert.Equal(new DispatchResult(), await app.DispatchAsync());
        app.Clock.Advance(MailDispatcher.ClaimTime + TimeSpan.FromSeconds(1));
        Assert.Equal(3, (await app.DispatchAsync()).Sent);

        Assert.All(await MailWorld.OutboxAsync(app), r => Assert.Equal(MailStatus.Sent, r.Status));
        var counts = app.Smtp.CountByMessageId();
        Assert.Equal(5, counts.Count);
        Assert.Equal(2, counts[inFlight]);
        Assert.All(counts.Where(c => c.Key != inFlight), c => Assert.Equal(1, c.Value));
    }

    [Fact]
    public async Task TwoDispatchersAtOnce_SendEveryMessageExactlyOnce()
    {
        const int count = 320;
        var now = app.Clock.GetUtcNow().UtcDateTime;
        var mails = Enumerable.Range(0, count).Select(i =>
            new Recipient($"nobody-{i}", $"reader-{i:000}@example.org", $"Reader {i}", "en", "Etc/UTC")
                .Mail($"{MailKinds.AccountConfirmation}:load:{i}", MailKinds.AccountConfirmation, new AccountMailModel($"https://learning.example.org/confirm/{i}"), now, cohortId: null))
            .Select(m => { m.UserId = null; return m; })
            .ToList();
        Assert.Equal(count, await app.WithDbAsync(db => MailOutbox.AddNewAsync(db, mails, Ct)));

        var results = await Task.WhenAll(app.DispatchAsync(), app.DispatchAsync());

        Assert.Equal(count, results.Sum(r => r.Sent));
        Assert.All(results, r => Assert.Equal((0, 0, 0), (r.Failed, r.Retried, r.Skipped)));
        Assert.Equal(count, app.Smtp.Messages.Count);
        Assert.Equal(count, app.Smtp.CountByMessageId().Count);
        Assert.Equal(count, app.Smtp.Received.SelectMany(r => r.EnvelopeTo).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(count, await app.WithDbAsync(db => db.OutgoingMail.CountAsync(m => m.Status == MailStatus.Sent, Ct)));
    }

    [Fact]
    public async Task ABatchThatOutlivesItsClaim_DoesNotSendWhatAnotherDispatcherTookOver()
    {
        // A batch so slow (a tarpitting server, a paused process) that its claim runs out half-way: meanwhile another
        // dispatcher rightly takes the unsent rest. The first must not then send that rest a second time.
        var trainees = await RemindersAsync(6);
        var sends = 0;
        app.Faults.AfterSend = async _ =>
        {
            if (++sends != 2)
                return;
            app.Clock.Advance(MailDispatcher.ClaimTime + TimeSpan.FromMinutes(1));
            // The second message is in flight (accepted, not yet marked): the other dispatcher sends it again, and the rest.
            Assert.Equal(5, (await app.DispatchAsync()).Sent);
        };

        await app.DispatchAsync();

        var counts = app.Smtp.CountByMessageId();
        Assert.Equal(6, counts.Count);
        var repeated = counts.Where(c => c.Value > 1).ToList();
        Assert.True(repeated.Count <= 1, $"{repeated.Count} messages were sent more than once: {string.Join(", ", repeated.Select(r => $"{r.Key} x{r.Value}"))}");
        Assert.All(await MailWorld.OutboxAsync(app), r => Assert.Equal(MailStatus.Sent, r.Status));
        Assert.All(trainees, t => Assert.InRange(app.Smtp.To(t.Email).Count, 1, 2));
    }

    [Fact]
    public async Task ABatchNearTheEndOfItsClaim_StopsAndLeavesTheRestToTheNextRun_EachMessageOnce()
    {
        var trainees = await RemindersAsync(6);
        var sends = 0;
        app.Faults.AfterSend = _ =>
        {
            // Two messages took (in the clock's eyes) more than half the claim: the batch must not start a third.
            if (++sends == 2)
                app.Clock.Advance((MailDispatcher.ClaimTime / 2) + TimeSpan.FromSeconds(1));
            return Task.CompletedTask;
        };

        Assert.Equal(2, (await app.DispatchAsync()).Sent);
        var rows = await MailWorld.OutboxAsync(app);
        Assert.Equal(2, rows.Count(r => r.Status == MailStatus.Sent));
        Assert.All(rows.Where(r => r.Status != MailStatus.Sent), r =>
        {
            Assert.Equal((MailStatus.Pending, 0), (r.Status, r.Attempts));
            Assert.Null(r.ClaimToken);
        });

        app.Faults.Clear();
        Assert.Equal(4, (await app.DispatchAsync()).Sent);
        Assert.All(app.Smtp.CountByMessageId().Values, n => Assert.Equal(1, n));
        Assert.All(trainees, t => Assert.Single(app.Smtp.To(t.Email)));
    }

    /// <summary><paramref name="count"/> trainees of one cohort, each with a reminder of its coming session in the outbox.</summary>
    private async Task<List<TestPerson>> RemindersAsync(int count)
    {
        var cohort = await MailWorld.CohortAsync(app);
        var trainees = new List<TestPerson>();
        for (var i = 0; i < count; i++)
        {
            var trainee = await MailWorld.PersonAsync(app, $"Trainee {i}");
            await MailWorld.EnrolAsync(app, cohort, trainee);
            trainees.Add(trainee);
        }

        await MailWorld.SessionAsync(app, cohort, "Innovation surveys", MailWorld.Now(app).AddHours(6));
        Assert.Equal(count, await MailWorld.PlanSessionMailAsync(app));
        return trainees;
    }
}
