using System.Diagnostics;
using System.Net;
using System.Security.Claims;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Cistrat.Learning.Benchmarks;

/// <summary>How long signing in through the form took for a sample of the room's trainees.</summary>
internal sealed record SignInSample(int Count, int Parallelism, TimeSpan Elapsed)
{
    public double PerSecond => Count / Elapsed.TotalSeconds;
}

/// <summary>
/// One live room of the demo data filled with trainees: the session on now of the demo cohort of
/// <see cref="Site.CourseSlug"/>, its lecturer's sign-in cookie and one per trainee.
/// </summary>
internal sealed record RoomSetup(
    int SessionId,
    string SessionTitle,
    int SlideCount,
    string LecturerCookie,
    IReadOnlyList<string> TraineeCookies,
    SignInSample SignIn,
    TimeSpan AccountsCreated)
{
    public const string LecturerEmail = "lecturer@demo.local";

    /// <summary>A demo trainee enrolled in the cohort; the new trainees copy its password hash and its sign-in cookie's shape.</summary>
    public const string TemplateEmail = "trainee3@demo.local";

    /// <summary>Real sign-ins through the form, timed; the other trainees' cookies are issued from the server's key ring.</summary>
    private const int SignInSampleSize = 20;

    private const string TraineeDomain = "live.bench.local";

    /// <summary>The server's data-protection application name and the purposes of Identity's application cookie.</summary>
    private const string ApplicationName = "Cistrat.Learning";

    private static readonly string[] CookiePurposes =
        ["Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", IdentityConstants.ApplicationScheme, "v2"];

    public static string DatabasePath(DirectoryInfo dataFolder) => Path.Combine(dataFolder.FullName, "learning.db");

    /// <summary>
    /// Adds <paramref name="trainees"/> accounts straight to the running server's database (enrolled, active, with the
    /// Trainee role) and gets each a sign-in cookie. PBKDF2 makes a sign-in cost about a tenth of a second of CPU, so
    /// thousands of them through the form would take minutes on two cores: a sample signs in through the form (and is
    /// timed), and the rest get the same ticket the form gave the template trainee, with their own identity in it,
    /// protected with the server's own data-protection keys. The server checks those cookies exactly as any other.
    /// </summary>
    public static async Task<RoomSetup> PrepareAsync(ServerProcess server, int trainees, string demoPassword, CancellationToken ct)
    {
        var dataFolder = server.DataFolder ?? throw new InvalidOperationException("The live room needs the web app, not the fan-out baseline.");
        var options = new DbContextOptionsBuilder<LearningDbContext>()
            .UseSqlite($"Data Source={DatabasePath(dataFolder)};Default Timeout=30;Pooling=False", o => o.MigrationsAssembly(MigrationsAssemblies.Sqlite))
            .Options;

        var created = Stopwatch.StartNew();
        int sessionId, slideCount;
        string sessionTitle;
        ApplicationUser template;
        List<ApplicationUser> accounts;
        await using (var db = new LearningDbContext(options))
        {
            template = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == TemplateEmail, ct)
                ?? throw new BenchmarkException($"No demo account {TemplateEmail}: did --demo seed the data?");
            var cohortId = await db.Cohorts.Where(c => c.Course!.Slug == Site.CourseSlug && c.Enrolments.Any(e => e.UserId == template.Id))
                .Select(c => c.Id).FirstOrDefaultAsync(ct);
            var now = DateTime.UtcNow;
            var session = await db.LiveSessions.AsNoTracking()
                .Where(s => s.CohortId == cohortId && !s.Cancelled && s.StartsAt <= now)
                .OrderByDescending(s => s.StartsAt).FirstOrDefaultAsync(ct)
                ?? throw new BenchmarkException($"The demo cohort of {Site.CourseSlug} has no live session that has started: the demo data changed.");
            if (session.EndsAt <= now)
                throw new BenchmarkException($"The demo session '{session.Title}' ended at {session.EndsAt:u}: the demo data no longer has a session on now.");
            (sessionId, sessionTitle, slideCount) = (session.Id, session.Title, Math.Max(1, session.DeckSlideCount));
            var traineeRole = await db.Roles.Where(r => r.Name == Roles.Trainee).Select(r => r.Id).SingleAsync(ct);

            accounts = [.. Enumerable.Range(1, trainees).Select(i => NewTrainee(template, i, now))];
            db.Users.AddRange(accounts);
            db.UserRoles.AddRange(accounts.Select(a => new IdentityUserRole<string> { UserId = a.Id, RoleId = traineeRole }));
            db.Enrolments.AddRange(accounts.Select(a => new Enrolment
            {
                CohortId = cohortId, UserId = a.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now,
            }));
            await db.SaveChangesAsync(ct);
        }

        created.Stop();

        var lecturer = await SignInAsync(server.BaseAddress, LecturerEmail, demoPassword, ct);
        var templateCookie = await SignInAsync(server.BaseAddress, TemplateEmail, demoPassword, ct);

        var sampleSize = Math.Min(SignInSampleSize, trainees);
        var cookies = new string[trainees];
        var parallelism = Environment.ProcessorCount;
        var signIn = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, sampleSize), new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (i, token) =>
            cookies[i] = await SignInAsync(server.BaseAddress, accounts[i].Email!, demoPassword, token));
        signIn.Stop();

        var format = new TicketDataFormat(
            DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(dataFolder.FullName, "keys")), b => b.SetApplicationName(ApplicationName))
                .CreateProtector(CookiePurposes));
        var ticket = format.Unprotect(templateCookie)
            ?? throw new BenchmarkException($"The sign-in cookie of {TemplateEmail} could not be read with the keys in {dataFolder.FullName}/keys: the cookie setup changed.");
        for (var i = sampleSize; i < trainees; i++)
            cookies[i] = format.Protect(TicketFor(ticket, template, accounts[i]));

        return new RoomSetup(sessionId, sessionTitle, slideCount, lecturer, cookies, new SignInSample(sampleSize, parallelism, signIn.Elapsed), created.Elapsed);
    }

    private static ApplicationUser NewTrainee(ApplicationUser template, int number, DateTime now)
    {
        var email = $"trainee{number:D5}@{TraineeDomain}";
        return new ApplicationUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            // The demo password's hash: any of them can also sign in through the form.
            PasswordHash = template.PasswordHash,
            SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            LockoutEnabled = template.LockoutEnabled,
            FullName = $"Trainee {number:D5}",
            Country = template.Country,
            Organisation = template.Organisation,
            PreferredLanguage = template.PreferredLanguage,
            TimeZoneId = template.TimeZoneId,
            CreatedAt = now,
        };
    }

    /// <summary>The template's ticket with every claim that named the template naming the new trainee, issued now.</summary>
    private static AuthenticationTicket TicketFor(AuthenticationTicket template, ApplicationUser from, ApplicationUser to)
    {
        var swap = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [from.Id] = to.Id,
            [from.UserName!] = to.UserName!,
            [from.Email!] = to.Email!,
            [from.SecurityStamp!] = to.SecurityStamp!,
            [from.FullName] = to.FullName,
        };
        var identity = template.Principal.Identities.Single();
        var claims = identity.Claims.Select(c => new Claim(c.Type, swap.GetValueOrDefault(c.Value, c.Value), c.ValueType, c.Issuer, c.OriginalIssuer));
        var clone = new ClaimsIdentity(claims, identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
        if (clone.FindFirst(ClaimTypes.NameIdentifier)?.Value != to.Id)
            throw new BenchmarkException("The template sign-in cookie carries no user id claim: the cookie setup changed.");

        var properties = template.Properties.Clone();
        var now = DateTimeOffset.UtcNow;
        properties.ExpiresUtc = now + (template.Properties.ExpiresUtc - template.Properties.IssuedUtc);
        properties.IssuedUtc = now;
        return new AuthenticationTicket(new ClaimsPrincipal(clone), properties, template.AuthenticationScheme);
    }

    /// <summary>The form's GET and POST, as <see cref="Site.SignInAsync"/> does; returns the auth cookie's value.</summary>
    private static async Task<string> SignInAsync(Uri baseAddress, string email, string password, CancellationToken ct)
    {
        var jar = new CookieContainer();
        using var client = Browser.Create(baseAddress, jar, maxConnections: 1, acceptEncoding: "", decompress: true);
        await Site.SignInAsync(client, jar, email, password, ct);
        return jar.GetCookies(baseAddress)[Site.AuthCookie]?.Value
            ?? throw new BenchmarkException($"Sign-in as {email} set no {Site.AuthCookie} cookie.");
    }
}
