using System.Diagnostics;
using System.Net;
using System.Text;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Core.Notifications;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Cistrat.Learning.Web.Tests.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// The issue's crash test: a coordinator issues to a cohort of 50, the node running the job server stops part-way, a
/// new node starts on the same data, and in the end every trainee has exactly one certificate and exactly one mail.
/// </summary>
public sealed class CertificateBatchRestartTests
{
    private const int Trainees = 50;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task BatchOf50_InterruptedByAStoppedJobServer_EndsWithOneCertificateAndOneMailPerTrainee()
    {
        await using var smtp = new TestSmtpServer();
        await smtp.StartAsync();
        // One worker on the first node: slow enough to be caught part-way, with mail dispatches running between items.
        var first = new CertificateNode(new CertificateAppSettings { JobServer = true, Workers = 1 }, smtp);
        CertificateNode? second = null;
        try
        {
            await first.InitializeAsync();
            var (coordinator, cohortId, people) = await ArrangeAsync(first);
            using (coordinator)
            {
                var clock = Stopwatch.StartNew();
                var page = $"/cohorts/{cohortId}/certificates";
                var issued = await coordinator.PostFormAsync(page, new Dictionary<string, string> { ["all"] = "true" }, page + "?handler=Issue&kind=Completion");
                Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);

                var doneBeforeStop = 0;
                while (doneBeforeStop < 10)
                {
                    Assert.True(clock.Elapsed < Wait, $"Only {doneBeforeStop} certificates issued after {Wait.TotalSeconds:0} s; the app logged: {first.Log}");
                    await Task.Delay(20, Ct);
                    doneBeforeStop = await first.WithDbAsync(db => db.CertificateBatchItems.CountAsync(i => i.Status == BatchItemStatus.Done, Ct));
                }

                // The node stops as on a deploy or a shutdown: its job server cancels the jobs it is running, and the
                // host's services go with it.
                var sameData = SameData(first);
                await first.Services.GetRequiredService<IHost>().StopAsync(Ct);
                var stoppedAt = clock.Elapsed;
                var mailAtStop = smtp.Messages.Count;

                second = new CertificateNode(new CertificateAppSettings { JobServer = true, Workers = 4, Extra = sameData }, smtp);
                // The new node comes up once the claims the stopped node's dispatcher held on mail have run out. Its
                // clock being ahead also tells the certificates it issued from those of the first node.
                second.Clock.Advance(MailDispatcher.ClaimTime + TimeSpan.FromMinutes(1));
                var restartedAt = second.Clock.GetUtcNow().UtcDateTime;
                await second.InitializeAsync();
                Assert.Equal(Trainees, await second.WithDbAsync(db => db.CertificateBatchItems.CountAsync(Ct)));

                await CertificateWorld.EventuallyAsync(
                    async () => await second.WithDbAsync(db => db.CertificateBatchItems.AllAsync(i => i.Status != BatchItemStatus.Pending, Ct)),
                    async () => $"the batch to finish on the new node: {await StateAsync(second)}; the app logged: {second.Log}", Wait);
                await CertificateWorld.EventuallyAsync(
                    async () => await second.WithDbAsync(db => db.OutgoingMail.AllAsync(m => m.Status == MailStatus.Sent, Ct)) && smtp.Messages.Count >= Trainees,
                    async () => $"{Trainees} mails sent, {smtp.Messages.Count} received: {await StateAsync(second)}; the app logged: {second.Log}", Wait);
                // Anything still in flight would arrive now.
                await Task.Delay(500, Ct);
                var byFirstNode = await second.WithDbAsync(db => db.Certificates.CountAsync(c => c.IssuedAt < restartedAt, Ct));
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"{byFirstNode} of {Trainees} issued and {mailAtStop} mails received when the first node stopped at {stoppedAt.TotalSeconds:0.0} s; "
                    + $"all issued and mailed at {clock.Elapsed.TotalSeconds:0.0} s.");
                Assert.InRange(byFirstNode, doneBeforeStop, Trainees - 1);

                await AssertExactlyOneEachAsync(second, smtp, people);
            }
        }
        finally
        {
            if (second is not null)
                await second.DisposeAsync();
            // Last: the first node's folder holds the data both nodes used.
            try
            {
                await first.DisposeAsync();
            }
            catch (ObjectDisposedException) when (LearningAppFactory.SqlServerConnectionString is not null)
            {
                // On SQL Server the factory drops its database through the stopped node's services, which are gone; the
                // second node, on the same database, has dropped it already.
            }
        }
    }

    private static async Task AssertExactlyOneEachAsync(CertificateNode app, TestSmtpServer smtp, IReadOnlyDictionary<string, TestPerson> people)
    {
        var items = await app.WithDbAsync(db => db.CertificateBatchItems.AsNoTracking().ToListAsync(Ct));
        Assert.All(items, i => Assert.True(i.Status == BatchItemStatus.Done, $"Item {i.Id}: {i.Status} after {i.Attempts} attempts, {i.Error}"));
        var certificates = await app.WithDbAsync(db => db.Certificates.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(Trainees, certificates.Count);
        Assert.Equal(Trainees, certificates.Select(c => c.EnrolmentId).Distinct().Count());
        Assert.Equal(Trainees, certificates.Select(c => c.Serial).Distinct(StringComparer.Ordinal).Count());
        Assert.All(certificates, c => Assert.Equal((CertificateStatus.Valid, 1), (c.Status, c.Revision)));
        Assert.Equal(
            people.Values.Select(p => p.Id).Order(StringComparer.Ordinal),
            certificates.Select(c => c.UserId).Order(StringComparer.Ordinal));
        Assert.Equal(Trainees, await app.WithDbAsync(db => db.CertificateFiles.CountAsync(Ct)));
        Assert.Equal(Trainees, await app.WithDbAsync(db => db.OutgoingMail.CountAsync(m => m.Kind == MailKinds.CertificateIssued, Ct)));

        // The coordinator's own account mail (the address confirmation of the registration) went to the same server.
        var messages = smtp.Messages.Where(m => people.ContainsKey(m.To.Mailboxes.Single().Address)).ToList();
        Assert.DoesNotContain(smtp.Messages.Except(messages), m => m.Attachments.Any());
        var duplicates = messages.GroupBy(m => m.MessageId, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(duplicates.Count == 0, $"Messages that arrived more than once: {string.Join(", ", duplicates)}");
        Assert.Equal(Trainees, messages.Count);
        Assert.Equal(people.Keys.Order(StringComparer.OrdinalIgnoreCase), messages.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.OrdinalIgnoreCase));
        var bySerial = certificates.ToDictionary(c => c.Serial, StringComparer.Ordinal);
        // Each PDF read as the recipient's software would; two at a time, one per core.
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(messages.Select(async message =>
        {
            var person = people[message.To.Mailboxes.Single().Address];
            var attachment = Assert.IsType<MimePart>(Assert.Single(message.Attachments));
            Assert.Equal("application/pdf", attachment.ContentType.MimeType);
            var serial = attachment.FileName!["certificate-".Length..^".pdf".Length];
            Assert.Equal(person.Id, bySerial[serial].UserId);
            using var pdf = new MemoryStream();
            await attachment.Content!.DecodeToAsync(pdf, Ct);
            var bytes = pdf.ToArray();
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(bytes[..5]), StringComparison.Ordinal);
            await gate.WaitAsync(Ct);
            try
            {
                Assert.Contains(person.FullName, await Poppler.TextAsync(bytes), StringComparison.Ordinal);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>A signed-in coordinator, and a cohort of 50 trainees who all meet its rule.</summary>
    private static async Task<(TestBrowser Coordinator, int CohortId, IReadOnlyDictionary<string, TestPerson> People)> ArrangeAsync(CertificateNode app)
    {
        var (coordinator, coordinatorId) = await CertificateWorld.SignedInAsync(app, "coordinator@example.org", "Coordinator", Roles.Coordinator);
        var cohortId = await CertificateWorld.CohortAsync(app, (coordinatorId, StaffRole.Coordinator));
        var people = new Dictionary<string, TestPerson>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i <= Trainees; i++)
        {
            var person = await MailWorld.PersonAsync(app, $"Trainée {i:00} Nguyễn-Ørsted");
            people[person.Email] = person;
        }

        await app.WithDbAsync(async db =>
        {
            var now = app.Clock.GetUtcNow().UtcDateTime;
            var lessons = await CertificateWorld.LessonsThatMeetTheRuleAsync(db);
            foreach (var person in people.Values)
            {
                db.Enrolments.Add(new Enrolment { CohortId = cohortId, UserId = person.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now });
                foreach (var lesson in lessons)
                    db.LessonProgress.Add(new LessonProgress { UserId = person.Id, LessonId = lesson.LessonId, CourseId = lesson.CourseId, FirstVisitedAt = now, LastVisitedAt = now, CompletedAt = now });
            }

            await db.SaveChangesAsync(Ct);
        });
        return (coordinator, cohortId, people);
    }

    /// <summary>Settings that put a new node on the first node's data: its folder (keys, jobs) and its database.</summary>
    private static Dictionary<string, string?> SameData(CertificateNode first)
    {
        var configuration = first.Services.GetRequiredService<IConfiguration>();
        var settings = new Dictionary<string, string?> { ["Learning:DataPath"] = first.DataPath };
        if (LearningAppFactory.SqlServerConnectionString is not null)
            settings["ConnectionStrings:Learning"] = configuration.GetConnectionString("Learning");
        return settings;
    }

    private static Task<string> StateAsync(LearningAppFactory app) => app.WithDbAsync(async db =>
    {
        var items = await db.CertificateBatchItems.GroupBy(i => i.Status).Select(g => $"{g.Key} {g.Count()}").ToListAsync(Ct);
        var mail = await db.OutgoingMail.GroupBy(m => m.Status).Select(g => $"mail {g.Key} {g.Count()}").ToListAsync(Ct);
        var errors = await db.CertificateBatchItems.Where(i => i.Error != null).Select(i => i.Error).Take(3).ToListAsync(Ct);
        return string.Join(", ", items.Concat(mail).Concat(errors.Select(e => $"error: {e}")));
    });
}
