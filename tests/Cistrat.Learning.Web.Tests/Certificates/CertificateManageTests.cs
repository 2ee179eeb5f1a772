using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Certificates;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>
/// The cohort's certificates page as its coordinators use it, with the real Hangfire server running what the page
/// starts: who may open it, who may receive which kind, issuing, re-issuing after a name correction, the zip, and the
/// automatic issuing the settings switch on.
/// </summary>
public sealed class CertificateManageTests(HangfireCertificateAppFactory app) : IClassFixture<HangfireCertificateAppFactory>, IAsyncLifetime
{
    private static readonly TimeSpan JobWait = TimeSpan.FromSeconds(45);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => await app.ResetCertificatesAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Page_OpensForTheCohortsCoordinatorAndAdmins_Only()
    {
        using var world = await ArrangeAsync();
        var (trainee, _) = await CertificateWorld.SignedInAsync(app, $"t-{Guid.NewGuid():n}@example.org", "Curious Trainee");
        var (lecturer, lecturerId) = await CertificateWorld.SignedInAsync(app, $"l-{Guid.NewGuid():n}@example.org", "Lecturer", Roles.Lecturer);
        await app.WithDbAsync(async db =>
        {
            db.CohortStaff.Add(new CohortStaff { CohortId = world.CohortId, UserId = lecturerId, Role = StaffRole.Lecturer });
            await db.SaveChangesAsync(Ct);
        });
        var (otherCoordinator, otherCoordinatorId) = await CertificateWorld.SignedInAsync(app, $"c-{Guid.NewGuid():n}@example.org", "Other Coordinator", Roles.Coordinator);
        await CertificateWorld.CohortAsync(app, (otherCoordinatorId, StaffRole.Coordinator));
        var (admin, _) = await CertificateWorld.SignedInAsync(app, $"a-{Guid.NewGuid():n}@example.org", "Admin", Roles.Admin);

        using (trainee)
        using (lecturer)
        using (otherCoordinator)
        using (admin)
        {
            await CertificateWorld.AssertForbiddenAsync(trainee, await trainee.GetAsync(world.PageUrl), "a trainee");
            await CertificateWorld.AssertForbiddenAsync(lecturer, await lecturer.GetAsync(world.PageUrl), "the cohort's lecturer");
            await CertificateWorld.AssertForbiddenAsync(otherCoordinator, await otherCoordinator.GetAsync(world.PageUrl), "another cohort's coordinator");
            Assert.Equal(HttpStatusCode.OK, (await world.Coordinator.GetAsync(world.PageUrl)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(world.PageUrl)).StatusCode);

            // A post with another cohort's id, through a form of a page the coordinator may open, issues nothing.
            var forged = await otherCoordinator.PostFormAsync("/cohorts", new Dictionary<string, string> { ["all"] = "true" }, world.PageUrl + "?handler=Issue&kind=Completion");
            await CertificateWorld.AssertForbiddenAsync(otherCoordinator, forged, "another cohort's coordinator issuing");
            Assert.Equal(0, await app.WithDbAsync(db => db.CertificateBatches.CountAsync(Ct)));
        }
    }

    [Fact]
    public async Task IssueToEveryoneEligible_IsRunByTheJobServer_AndRefusedForATraineeWhoDoesNotMeetTheRule()
    {
        using var world = await ArrangeAsync();

        var refused = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string> { ["Selected"] = world.Pending.Enrolment.ToString() }, world.PageUrl + "?handler=Issue&kind=Completion");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var message = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct));
        Assert.Contains($"Not eligible for this certificate: {world.Pending.Name}.", message, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.CertificateBatches.CountAsync(Ct)));

        var issued = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string> { ["all"] = "true" }, world.PageUrl + "?handler=Issue&kind=Completion");
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        var batchId = await app.WithDbAsync(db => db.CertificateBatches.Select(b => b.Id).SingleAsync(Ct));
        await BatchFinishedAsync(batchId);

        var certificates = await CertificateWorld.CertificatesAsync(app, world.CohortId);
        Assert.Equal(
            new[] { world.Eligible.Name, world.AlsoEligible.Name }.Order(StringComparer.Ordinal),
            certificates.Select(c => c.HolderName).Order(StringComparer.Ordinal));
        Assert.All(certificates, c => Assert.Equal(world.CoordinatorId, c.IssuedById));
        var progress = JsonNode.Parse(await (await world.Coordinator.GetAsync($"{world.PageUrl}?handler=Progress&batchId={batchId}")).Content.ReadAsStringAsync(Ct))!;
        Assert.Equal(2, (int)progress["total"]!);
        Assert.Equal(2, (int)progress["done"]!);
        Assert.Equal(0, (int)progress["pending"]!);
        var audit = await app.WithDbAsync(db => db.CertificateAudit.Where(a => a.CohortId == world.CohortId).Select(a => a.Action).ToListAsync(Ct));
        Assert.Equal(2, audit.Count(a => a == AuditAction.Issued));

        // Everyone eligible holds one now: asking again starts nothing.
        var again = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string> { ["all"] = "true" }, world.PageUrl + "?handler=Issue&kind=Completion");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Everyone eligible already holds this certificate.", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.CertificateBatches.CountAsync(Ct)));
    }

    [Fact]
    public async Task Reissue_AfterANameCorrection_GivesANewSerialWithTheNewName_AndTheOldOnePointsToIt()
    {
        using var world = await ArrangeAsync();
        var batch = await CertificateWorld.IssueAsync(app, world.CohortId, [world.Eligible.Enrolment], world.CoordinatorId);
        var old = await CertificateWorld.CertificateOfAsync(app, batch, world.Eligible.Enrolment);
        const string corrected = "Amélie Nguyễn-Ørsted";
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == world.Eligible.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.FullName, corrected), Ct));

        var reissue = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string> { ["certificateId"] = old.Id.ToString() }, world.PageUrl + "?handler=Reissue&kind=Completion");
        Assert.Equal(HttpStatusCode.Redirect, reissue.StatusCode);
        var reissueBatch = await app.WithDbAsync(db => db.CertificateBatches.Where(b => b.Id != batch).Select(b => b.Id).SingleAsync(Ct));
        await BatchFinishedAsync(reissueBatch);

        var fresh = await CertificateWorld.CertificateOfAsync(app, reissueBatch, world.Eligible.Enrolment);
        var before = await app.WithDbAsync(db => db.Certificates.AsNoTracking().SingleAsync(c => c.Id == old.Id, Ct));
        Assert.NotEqual(old.Serial, fresh.Serial);
        Assert.Equal(corrected, fresh.HolderName);
        Assert.Equal(2, fresh.Revision);
        Assert.Equal(old.Id, fresh.ReplacesId);
        Assert.Equal(CertificateStatus.Superseded, before.Status);
        Assert.Equal(fresh.Id, before.SupersededById);
        Assert.Equal(world.Eligible.Name, before.HolderName);
        Assert.Contains(corrected, await Poppler.TextAsync(await CertificateWorld.PdfAsync(app, fresh.Id)), StringComparison.Ordinal);

        using var anonymous = new TestBrowser(app);
        var page = await anonymous.GetPageAsync($"/verify/{old.Serial}");
        Assert.Contains("Replaced by a corrected certificate", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Valid certificate", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector($"a[href='/verify/{fresh.Serial}']"));
        Assert.Contains("Valid certificate", (await anonymous.GetPageAsync($"/verify/{fresh.Serial}")).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Zip_HoldsOnePdfPerValidCertificate()
    {
        using var world = await ArrangeAsync();
        var batch = await CertificateWorld.IssueAsync(app, world.CohortId, [world.Eligible.Enrolment, world.AlsoEligible.Enrolment], world.CoordinatorId);
        var kept = await CertificateWorld.CertificateOfAsync(app, batch, world.Eligible.Enrolment);
        var revoked = await CertificateWorld.CertificateOfAsync(app, batch, world.AlsoEligible.Enrolment);
        var third = await CertificateWorld.TraineeAsync(app, "王小明");
        var thirdEnrolment = await CertificateWorld.EnrolAsync(app, world.CohortId, third.Id);
        var thirdBatch = await CertificateWorld.IssueAsync(app, world.CohortId, [thirdEnrolment], world.CoordinatorId);
        var chinese = await CertificateWorld.CertificateOfAsync(app, thirdBatch, thirdEnrolment);
        await using (var scope = app.Services.CreateAsyncScope())
            Assert.True(await scope.ServiceProvider.GetRequiredService<CertificateService>().RevokeAsync(revoked.Id, "Issued in error", world.CoordinatorId, Ct));

        var response = await world.Coordinator.GetAsync($"{world.PageUrl}?handler=Zip&kind=Completion");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        await using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync(Ct)), ZipArchiveMode.Read);
        Assert.Equal(2, zip.Entries.Count);
        foreach (var certificate in new[] { kept, chinese })
        {
            var entry = Assert.Single(zip.Entries, e => e.Name.EndsWith($"{certificate.Serial}.pdf", StringComparison.Ordinal));
            await using var stream = await entry.OpenAsync(Ct);
            using var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes, Ct);
            Assert.Equal(await CertificateWorld.PdfAsync(app, certificate.Id), bytes.ToArray());
            Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(bytes.ToArray()[..5]), StringComparison.Ordinal);
        }

        Assert.DoesNotContain(zip.Entries, e => e.Name.Contains(revoked.Serial, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutomaticIssuing_SwitchedOnInTheSettings_IssuesOnCompletion_Once()
    {
        using var world = await ArrangeAsync();
        var saved = await world.Coordinator.PostFormAsync(world.PageUrl, new Dictionary<string, string>
        {
            ["Settings.AutoIssue"] = "true", ["Settings.ParticipationAttendancePercent"] = "75",
        }, world.PageUrl + "?handler=Settings&kind=Completion");
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.Cohorts.Where(c => c.Id == world.CohortId).Select(c => c.AutoIssueCertificates).SingleAsync(Ct)));

        // A cohort that does not issue automatically, with a trainee completing at the same time.
        var manual = await CertificateWorld.CohortAsync(app, (world.CoordinatorId, StaffRole.Coordinator));
        var elsewhere = await CertificateWorld.TraineeAsync(app, "Completes Elsewhere");
        var elsewhereEnrolment = await CertificateWorld.EnrolAsync(app, manual, elsewhere.Id);
        await CertificateWorld.MeetTheRuleAsync(app, world.Pending.UserId);
        await CertificateWorld.MeetTheRuleAsync(app, elsewhere.Id);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var completion = scope.ServiceProvider.GetRequiredService<CompletionService>();
            Assert.True((await completion.EvaluateEnrolmentAsync(world.Pending.Enrolment, Ct))!.IsComplete);
            Assert.True((await completion.EvaluateEnrolmentAsync(elsewhereEnrolment, Ct))!.IsComplete);
        }

        await SweepAsync();
        var batchId = await app.WithDbAsync(db => db.CertificateBatches.Where(b => b.CohortId == world.CohortId).Select(b => b.Id).SingleAsync(Ct));
        await BatchFinishedAsync(batchId);
        await SweepAsync();

        var certificate = Assert.Single(await CertificateWorld.CertificatesAsync(app, world.CohortId));
        Assert.Equal(world.Pending.Name, certificate.HolderName);
        Assert.Null(certificate.IssuedById);
        var batch = await app.WithDbAsync(db => db.CertificateBatches.AsNoTracking().SingleAsync(Ct));
        Assert.True(batch.Automatic);
        Assert.Empty(await CertificateWorld.CertificatesAsync(app, manual));
        Assert.Equal(1, await app.WithDbAsync(db => db.OutgoingMail.CountAsync(m => m.Kind == "certificate-issued", Ct)));
    }

    [Fact]
    public async Task Participation_FollowsAttendanceOfEndedSessions_AndTheCohortsThreshold()
    {
        using var world = await ArrangeAsync();
        await CertificateWorld.EndedSessionAsync(app, world.CohortId, (world.Eligible.UserId, 50), (world.Pending.UserId, 30));
        var participation = world.PageUrl + "?kind=Participation";

        var page = await world.Coordinator.GetPageAsync(participation);
        Assert.Contains("Yes", Row(page, world.Eligible.Name), StringComparison.Ordinal);
        Assert.Contains("attended 50% of 75% needed", Row(page, world.Pending.Name), StringComparison.Ordinal);
        Assert.Contains("attended 0% of 75% needed", Row(page, world.AlsoEligible.Name), StringComparison.Ordinal);

        var refused = await world.Coordinator.PostFormAsync(participation, new Dictionary<string, string> { ["Selected"] = world.Pending.Enrolment.ToString() }, world.PageUrl + "?handler=Issue&kind=Participation");
        Assert.Contains($"Not eligible for this certificate: {world.Pending.Name}.", WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync(Ct)), StringComparison.Ordinal);

        var lowered = await world.Coordinator.PostFormAsync(participation, new Dictionary<string, string>
        {
            ["Settings.AutoIssue"] = "false", ["Settings.ParticipationAttendancePercent"] = "50",
        }, world.PageUrl + "?handler=Settings&kind=Participation");
        Assert.Equal(HttpStatusCode.Redirect, lowered.StatusCode);
        Assert.DoesNotContain("needed", Row(await world.Coordinator.GetPageAsync(participation), world.Pending.Name), StringComparison.Ordinal);

        var issued = await world.Coordinator.PostFormAsync(participation, new Dictionary<string, string> { ["Selected"] = world.Pending.Enrolment.ToString() }, world.PageUrl + "?handler=Issue&kind=Participation");
        Assert.Equal(HttpStatusCode.Redirect, issued.StatusCode);
        await BatchFinishedAsync(await app.WithDbAsync(db => db.CertificateBatches.Select(b => b.Id).SingleAsync(Ct)));
        var certificate = Assert.Single(await CertificateWorld.CertificatesAsync(app, world.CohortId));
        Assert.Equal((CertificateKind.Participation, world.Pending.Name), (certificate.Kind, certificate.HolderName));
        Assert.Contains("Certificate of participation", await Poppler.TextAsync(await CertificateWorld.PdfAsync(app, certificate.Id)), StringComparison.Ordinal);
    }

    /// <summary>
    /// A cohort with its coordinator (signed in) and three trainees: two who meet the completion rule and one who does not.
    /// </summary>
    private async Task<World> ArrangeAsync()
    {
        var (coordinator, coordinatorId) = await CertificateWorld.SignedInAsync(app, $"coordinator-{Guid.NewGuid():n}@example.org", "Coordinator", Roles.Coordinator);
        var cohort = await CertificateWorld.CohortAsync(app, (coordinatorId, StaffRole.Coordinator));
        async Task<Trainee> TraineeAsync(string name, bool meetsRule)
        {
            var person = await CertificateWorld.TraineeAsync(app, name);
            var enrolment = await CertificateWorld.EnrolAsync(app, cohort, person.Id);
            if (meetsRule)
                await CertificateWorld.MeetTheRuleAsync(app, person.Id);
            return new Trainee(person.Id, name, enrolment);
        }

        return new World(
            cohort, $"/cohorts/{cohort}/certificates", coordinator, coordinatorId,
            await TraineeAsync("Amélie Ørsted", true), await TraineeAsync("محمد عبد الله الفاسي", true), await TraineeAsync("Kebede Pending", false));
    }

    private async Task SweepAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await ActivatorUtilities.GetServiceOrCreateInstance<CertificateSweepJob>(scope.ServiceProvider).RunAsync(Ct);
    }

    private Task BatchFinishedAsync(int batchId) =>
        CertificateWorld.EventuallyAsync(
            async () => (await CertificateWorld.ItemsAsync(app, batchId)).All(i => i.Status != BatchItemStatus.Pending),
            async () => $"batch {batchId} to finish; items: {await ItemsAsync()}; the app logged: {app.Log}", JobWait);

    private Task<string> ItemsAsync() =>
        app.WithDbAsync(async db => string.Join("; ", await db.CertificateBatchItems.Select(i => $"{i.BatchId}/{i.Id} {i.Status} {i.Attempts} {i.Error}").ToListAsync(Ct)));

    /// <summary>The text of the candidates table's row of one trainee.</summary>
    private static string Row(AngleSharp.Html.Dom.IHtmlDocument page, string name) =>
        page.QuerySelectorAll("tbody tr").SingleOrDefault(r => r.TextContent.Contains(name, StringComparison.Ordinal))?.TextContent
        ?? throw new Xunit.Sdk.XunitException($"No row for {name} on the page.");

    private sealed record Trainee(string UserId, string Name, int Enrolment);

    private sealed record World(int CohortId, string PageUrl, TestBrowser Coordinator, string CoordinatorId, Trainee Eligible, Trainee AlsoEligible, Trainee Pending) : IDisposable
    {
        public void Dispose() => Coordinator.Dispose();
    }
}
