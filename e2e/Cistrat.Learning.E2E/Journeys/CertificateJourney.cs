using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Courses;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.E2E.Infrastructure;
using Cistrat.Learning.Web.Infrastructure.Jobs;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cistrat.Learning.E2E.Journeys;

/// <summary>
/// A certificate's whole life as its people see it: the coordinator issues a cohort's certificates in one batch and
/// watches the app's real Hangfire server work through it; a trainee downloads the PDF and the signed credential from
/// their record; a stranger scans the PDF's QR code and is told the certificate is valid; the coordinator revokes it,
/// and from then on the page the QR code leads to, and the credential pasted into it, both say revoked.
/// </summary>
/// <remarks>
/// The cohort and its trainees are made for the run (three who have read every lesson, one of them with an Arabic
/// name, and one who has not), so no demo account another journey reads receives or loses a certificate. The QR code
/// is read off the PDF by poppler and ZXing, not taken from the app: it must lead to this run's site, which the
/// fixture ensures by choosing the port before the app starts and giving it to the app as Mail:SiteUrl.
/// </remarks>
[Collection(BrowserJourneys.Name)]
public sealed partial class CertificateJourney(LearningSite site, JourneyScreenshots<CertificateJourney> screenshots)
    : IClassFixture<JourneyScreenshots<CertificateJourney>>
{
    private const string CourseSlug = "digital-transformation";
    private const string ProgressName = "Certificates issued in this batch";
    private const int MaxPdfBytes = 300 * 1024;
    private static readonly TimeSpan BatchTimeout = TimeSpan.FromSeconds(60);

    private static readonly TraineeSeed Holder = new("certificate.holder", "Ana Lucía Gómez", Completed: true);
    private static readonly TraineeSeed ArabicName = new("certificate.arabic", "ليلى حسن الخطيب", Completed: true);
    private static readonly TraineeSeed Third = new("certificate.third", "Kwame Mensah", Completed: true);
    private static readonly TraineeSeed NotYet = new("certificate.notyet", "Tendai Moyo", Completed: false);

    [Fact]
    public async Task Coordinator_IssuesACohortsCertificates_TraineeDownloadsThem_QrCodeVerifiesAsValid_UntilRevoked()
    {
        Assert.True(site.Services.GetRequiredService<IOptions<JobsOptions>>().Value.RunServer,
            "The journey needs the app's own Hangfire server (Jobs:RunServer=true) to work through the batch.");
        var cohort = await SeedCohortAsync([Holder, ArabicName, Third, NotYet]);
        var eligible = new[] { Holder, ArabicName, Third };

        // 1. The coordinator issues to everyone eligible and follows the batch's progress bar to its end.
        await using var coordinatorContext = await site.SignedInAsync(DemoAccounts.Coordinator);
        var coordinator = await coordinatorContext.NewPageAsync();
        await coordinator.GotoAsync($"/cohorts/{cohort.Id}/certificates");
        await Expect(coordinator.GetByRole(AriaRole.Heading, new() { Name = $"Certificates: {cohort.Name}", Level = 1 })).ToBeVisibleAsync();
        foreach (var trainee in eligible)
            await Expect(Row(coordinator, trainee.Name)).ToContainTextAsync("Yes");
        await Expect(Row(coordinator, NotYet.Name)).ToContainTextAsync(new Regex(@"No\s*—\s*lessons \d+ of \d+"));
        await Expect(coordinator.GetByRole(AriaRole.Progressbar, new() { Name = ProgressName })).ToHaveCountAsync(0);
        await screenshots.TakeAsync(coordinator, "certificates-before-issuing");

        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Issue to everyone eligible", Exact = true }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Status)).ToHaveTextAsync($"Issuing {eligible.Length} certificate(s): follow the progress below.");
        var bar = coordinator.GetByRole(AriaRole.Progressbar, new() { Name = ProgressName });
        await Expect(bar).ToHaveCountAsync(1);
        await Expect(bar).ToHaveAttributeAsync("max", eligible.Length.ToString(CultureInfo.InvariantCulture));
        var firstSeen = await bar.EvaluateAsync<double>("p => p.value");
        // A mark in this document's window: the page reloads itself when the batch is done, and a new document has none.
        await coordinator.EvaluateAsync("() => { window.certificateJourneyMark = true; }");
        await screenshots.TakeAsync(coordinator, "batch-in-progress");

        await Expect(coordinator.GetByText($"{eligible.Length} of {eligible.Length} issued, 0 failed", new() { Exact = true }))
            .ToBeVisibleAsync(new() { Timeout = (float)BatchTimeout.TotalMilliseconds });
        if (firstSeen < eligible.Length)
            await WaitForSelfReloadAsync(coordinator);
        bar = coordinator.GetByRole(AriaRole.Progressbar, new() { Name = ProgressName });
        await Expect(bar).ToHaveJSPropertyAsync("value", eligible.Length);
        await Expect(bar).ToHaveJSPropertyAsync("max", eligible.Length);
        var serials = new Dictionary<string, string>();
        foreach (var trainee in eligible)
        {
            var row = Row(coordinator, trainee.Name);
            await Expect(row).ToContainTextAsync(SerialThenStatus("Valid"));
            serials[trainee.Name] = SerialThenStatus("Valid").Match(await row.InnerTextAsync()).Groups["serial"].Value;
        }

        Assert.Equal(eligible.Length, serials.Values.Distinct().Count());
        await Expect(Row(coordinator, NotYet.Name)).Not.ToContainTextAsync(Serial());
        await screenshots.TakeAsync(coordinator, "batch-finished");
        var serial = serials[Holder.Name];

        // 2. The holder finds the certificate on their record, drawn from the template, and downloads both forms of it.
        await using var holderContext = await site.SignedInAsync(Holder.Email);
        var record = await holderContext.NewPageAsync();
        await record.GotoAsync("/record");
        await Expect(record.GetByRole(AriaRole.Heading, new() { Name = "My learning record", Level = 1 })).ToBeVisibleAsync();
        var mine = record.GetByRole(AriaRole.Region, new() { Name = "My certificates", Exact = true });
        var entry = mine.GetByRole(AriaRole.Article).Filter(new() { HasText = serial });
        await Expect(entry.GetByRole(AriaRole.Heading, new() { Name = $"Certificate of completion: {cohort.CourseTitle}", Exact = true })).ToBeVisibleAsync();
        await Expect(entry).ToContainTextAsync(cohort.Name);
        await Expect(entry).ToContainTextAsync("Valid");
        var view = entry.GetByRole(AriaRole.Img, new() { Name = "Your certificate", Exact = true });
        await Expect(view).ToBeVisibleAsync();
        await Expect(view).ToContainTextAsync(Holder.Name);
        await Expect(view).ToContainTextAsync(serial);
        await screenshots.TakeAsync(record, "record-with-certificate");

        var pdfDownload = await record.RunAndWaitForDownloadAsync(() =>
            entry.GetByRole(AriaRole.Link, new() { Name = "Download the PDF", Exact = true }).ClickAsync());
        Assert.Equal($"certificate-{serial}.pdf", pdfDownload.SuggestedFilename);
        var pdfPath = Path.Combine(screenshots.Folder, pdfDownload.SuggestedFilename);
        await pdfDownload.SaveAsAsync(pdfPath);
        var pdf = await File.ReadAllBytesAsync(pdfPath);
        Assert.True(pdf.AsSpan().StartsWith("%PDF-"u8), $"The download does not start as a PDF: {Encoding.ASCII.GetString(pdf, 0, Math.Min(16, pdf.Length))}");
        Assert.InRange(pdf.Length, 1, MaxPdfBytes - 1);
        var text = await CertificatePdfReader.TextOfAsync(pdfPath);
        Assert.Contains(Holder.Name, text.Normalize(NormalizationForm.FormC), StringComparison.Ordinal);
        Assert.Contains(serial, text, StringComparison.Ordinal);

        var credentialDownload = await record.RunAndWaitForDownloadAsync(() =>
            entry.GetByRole(AriaRole.Link, new() { Name = "Download the digital credential (Open Badges 3.0)", Exact = true }).ClickAsync());
        Assert.Equal($"credential-{serial}.jwt", credentialDownload.SuggestedFilename);
        var credentialPath = Path.Combine(screenshots.Folder, credentialDownload.SuggestedFilename);
        await credentialDownload.SaveAsAsync(credentialPath);
        var credential = (await File.ReadAllTextAsync(credentialPath)).Trim();
        Assert.Matches(@"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$", credential);

        // 3. A stranger scans the QR code on the printed page: it leads to this site's verification page, which says valid.
        var (qrText, pagePng) = await CertificatePdfReader.QrCodeOfAsync(pdfPath, Path.Combine(screenshots.Folder, "certificate-page"));
        var verifyUrl = new Uri(site.BaseAddress, $"/verify/{serial}");
        Assert.Equal(verifyUrl.ToString(), qrText);
        Assert.Contains(qrText, text, StringComparison.Ordinal);
        using (var payload = JsonDocument.Parse(Base64Url(credential.Split('.')[1])))
            Assert.Equal(qrText, payload.RootElement.GetProperty("id").GetString());
        Assert.True(new FileInfo(pagePng).Length > 0);

        await using var strangerContext = await site.VisitorAsync();
        Assert.Empty(await strangerContext.CookiesAsync());
        var stranger = await strangerContext.NewPageAsync();
        await stranger.GotoAsync(qrText);
        var verdict = stranger.GetByRole(AriaRole.Status);
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Valid certificate", Exact = true })).ToBeVisibleAsync();
        await Expect(verdict).ToContainTextAsync(Holder.Name);
        await Expect(verdict).ToContainTextAsync(cohort.CourseTitle);
        await Expect(verdict).ToContainTextAsync(serial);
        // Only what the certificate itself states: not the holder's address.
        await Expect(stranger.GetByRole(AriaRole.Main)).Not.ToContainTextAsync(Holder.Email);
        await Expect(stranger.GetByRole(AriaRole.Img, new() { Name = "The certificate as issued", Exact = true })).ToContainTextAsync(Holder.Name);
        await screenshots.TakeAsync(stranger, "verify-from-qr-valid");

        await PasteCredentialAsync(stranger, credential);
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Valid certificate", Exact = true })).ToBeVisibleAsync();
        await Expect(verdict).ToContainTextAsync("The credential's signature checks out against this issuer's published key, and it has not been revoked.");
        await screenshots.TakeAsync(stranger, "verify-pasted-credential-valid");

        // The trainee with the Arabic name has a certificate that verifies too, the name shown as written.
        await using (var other = await site.VisitorAsync())
        {
            var arabic = await other.NewPageAsync();
            await arabic.GotoAsync($"/verify/{serials[ArabicName.Name]}");
            await Expect(arabic.GetByRole(AriaRole.Status).GetByRole(AriaRole.Heading, new() { Name = "Valid certificate", Exact = true })).ToBeVisibleAsync();
            await Expect(arabic.GetByRole(AriaRole.Status)).ToContainTextAsync(ArabicName.Name);
            await screenshots.TakeAsync(arabic, "verify-arabic-name-valid");
        }

        // 4. The coordinator revokes the holder's certificate, giving the reason.
        const string Reason = "Issued in error: the final assessment had not been marked.";
        await coordinator.GotoAsync($"/cohorts/{cohort.Id}/certificates");
        var holderRow = Row(coordinator, Holder.Name);
        // <summary> has no ARIA role Playwright can query; its visible text names the disclosure.
        await holderRow.GetByText("Revoke", new() { Exact = true }).ClickAsync();
        await holderRow.GetByLabel("Reason (kept in the audit log)", new() { Exact = true }).FillAsync(Reason);
        await screenshots.TakeAsync(coordinator, "revoke-with-reason");
        await holderRow.GetByRole(AriaRole.Button, new() { Name = $"Revoke {serial}", Exact = true }).ClickAsync();
        await Expect(coordinator.GetByRole(AriaRole.Status)).ToHaveTextAsync("The certificate was revoked. Its verification page says so from now on.");
        holderRow = Row(coordinator, Holder.Name);
        await Expect(holderRow).ToContainTextAsync(SerialThenStatus("Revoked"));
        await Expect(holderRow).ToContainTextAsync(Reason);
        await Expect(holderRow.GetByRole(AriaRole.Button, new() { Name = $"Revoke {serial}", Exact = true })).ToHaveCountAsync(0);
        // The other certificates stand.
        await Expect(Row(coordinator, Third.Name)).ToContainTextAsync(SerialThenStatus("Valid"));
        await screenshots.TakeAsync(coordinator, "revoked");

        var revokedOn = await RevokedOnAsync(serial);
        await stranger.GotoAsync(qrText);
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Revoked certificate", Exact = true })).ToBeVisibleAsync();
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Valid certificate" })).ToHaveCountAsync(0);
        await Expect(verdict).ToContainTextAsync(new Regex($@"Revoked on\s*{Regex.Escape(revokedOn)}"));
        await Expect(verdict).ToContainTextAsync(Holder.Name);
        await screenshots.TakeAsync(stranger, "verify-from-qr-revoked");

        // The holder's record keeps the certificate, marked revoked, with nothing left to download or show.
        await record.ReloadAsync();
        await Expect(entry).ToContainTextAsync("Revoked");
        await Expect(entry.GetByRole(AriaRole.Link, new() { Name = "Download the PDF", Exact = true })).ToHaveCountAsync(0);
        await Expect(entry.GetByRole(AriaRole.Img)).ToHaveCountAsync(0);
        await screenshots.TakeAsync(record, "record-after-revocation");

        // 5. The credential the holder downloaded, still correctly signed, now checks out as revoked, not valid.
        await PasteCredentialAsync(stranger, credential);
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Revoked certificate", Exact = true })).ToBeVisibleAsync();
        await Expect(verdict.GetByRole(AriaRole.Heading, new() { Name = "Valid certificate" })).ToHaveCountAsync(0);
        await Expect(verdict).ToContainTextAsync(new Regex($@"Revoked on\s*{Regex.Escape(revokedOn)}"));
        await Expect(verdict).Not.ToContainTextAsync("has not been revoked");
        await screenshots.TakeAsync(stranger, "verify-pasted-credential-revoked");
    }

    /// <summary>The trainee's row of the certificates table, found by the name shown in it.</summary>
    private static ILocator Row(IPage page, string name) =>
        page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByText(name, new() { Exact = true }) });

    private static async Task PasteCredentialAsync(IPage page, string credential)
    {
        await page.GotoAsync("/verify");
        await page.GetByLabel("Paste the credential", new() { Exact = true }).FillAsync(credential);
        await page.GetByRole(AriaRole.Button, new() { Name = "Check the credential", Exact = true }).ClickAsync();
    }

    /// <summary>
    /// Waits until the page has replaced its document (the certificates page reloads itself when a batch is done):
    /// the mark left in the old document's window is gone from the new one.
    /// </summary>
    private static async Task WaitForSelfReloadAsync(IPage page)
    {
        var deadline = DateTime.UtcNow + BatchTimeout;
        while (true)
        {
            try
            {
                if (!await page.EvaluateAsync<bool>("() => window.certificateJourneyMark === true"))
                    return;
            }
            catch (PlaywrightException)
            {
                // Asked while the old document was going away: ask the new one.
            }

            Assert.True(DateTime.UtcNow < deadline, $"The certificates page did not reload itself within {BatchTimeout.TotalSeconds:0} s of the batch finishing.");
            await Task.Delay(100);
        }
    }

    /// <summary>The revocation date as the verification page writes it (the day in UTC, day month year).</summary>
    private async Task<string> RevokedOnAsync(string serial)
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var revokedAt = await db.Certificates.AsNoTracking().Where(c => c.Serial == serial).Select(c => c.RevokedAt).SingleAsync();
        Assert.NotNull(revokedAt);
        return revokedAt.Value.ToString("d MMMM yyyy", CultureInfo.GetCultureInfo("en"));
    }

    /// <summary>
    /// A cohort of the course with a reading-only rule (every lesson, no quiz), the demo coordinator as its coordinator,
    /// and the given trainees: those marked completed have read every lesson, the others half; completions are recorded
    /// as the app records them.
    /// </summary>
    private async Task<CohortSeed> SeedCohortAsync(IReadOnlyList<TraineeSeed> trainees)
    {
        await using var scope = site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var time = scope.ServiceProvider.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow().UtcDateTime;
        var today = DateOnly.FromDateTime(now);
        var course = await db.Courses.AsNoTracking().Where(c => c.Slug == CourseSlug).Select(c => new { c.Id, c.Title }).SingleAsync();
        var lessons = await db.Lessons.AsNoTracking().Where(l => l.CourseId == course.Id && l.RetiredAt == null).Select(l => l.Id).ToListAsync();
        Assert.True(lessons.Count >= 2, $"The course {CourseSlug} has {lessons.Count} lessons; the journey needs some to read.");
        var coordinator = await users.FindByEmailAsync(DemoAccounts.Coordinator) ?? throw new InvalidOperationException("No demo coordinator.");

        var cohort = new Cohort
        {
            CourseId = course.Id, Name = "Nairobi Certificate Workshop: Digital transformation", StartsOn = today.AddDays(-28), EndsOn = today.AddDays(3),
            TimeZoneId = "Africa/Nairobi", Policy = EnrolmentPolicy.InvitationCode, InvitationCode = "CERT-JOURNEY", Capacity = 20, CreatedAt = now,
            CompletionRule = new CompletionRule { LessonSharePercent = 100, Quizzes = QuizRequirement.None },
        };
        cohort.Staff.Add(new CohortStaff { UserId = coordinator.Id, Role = StaffRole.Coordinator });
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync();

        foreach (var trainee in trainees)
        {
            var user = new ApplicationUser
            {
                UserName = trainee.Email, Email = trainee.Email, EmailConfirmed = true, FullName = trainee.Name,
                PreferredLanguage = "en", TimeZoneId = "Africa/Nairobi", Country = "KE", CreatedAt = now,
            };
            var created = await users.CreateAsync(user, DemoAccounts.Password);
            Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
            await users.AddToRoleAsync(user, Roles.Trainee);
            db.Enrolments.Add(new Enrolment { CohortId = cohort.Id, UserId = user.Id, Status = EnrolmentStatus.Active, RequestedAt = now.AddDays(-30), DecidedAt = now.AddDays(-30) });
            var read = trainee.Completed ? lessons : lessons.Take(lessons.Count / 2).ToList();
            for (var i = 0; i < read.Count; i++)
            {
                var at = now.AddDays(-20).AddHours(i * 6);
                db.LessonProgress.Add(new LessonProgress { UserId = user.Id, LessonId = read[i], CourseId = course.Id, FirstVisitedAt = at, LastVisitedAt = at, CompletedAt = at, Position = 1 });
            }
        }

        await db.SaveChangesAsync();
        var reports = await new CompletionService(db, time).EvaluateCohortAsync(cohort.Id);
        Assert.Equal(trainees.Count(t => t.Completed), reports.Values.Count(r => r.IsComplete));
        return new CohortSeed(cohort.Id, cohort.Name, course.Title);
    }

    private static byte[] Base64Url(string part)
    {
        var padded = part.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded.PadRight(padded.Length + ((4 - (padded.Length % 4)) % 4), '='));
    }

    /// <summary>A serial as the table shows it, followed by its status badge.</summary>
    private static Regex SerialThenStatus(string status) => new($@"(?<serial>{Serial()})\s*{status}\b");

    [GeneratedRegex("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")]
    private static partial Regex Serial();

    private sealed record TraineeSeed(string Key, string Name, bool Completed)
    {
        public string Email => $"{Key}@e2e.local";
    }

    private sealed record CohortSeed(int Id, string Name, string CourseTitle);
}
