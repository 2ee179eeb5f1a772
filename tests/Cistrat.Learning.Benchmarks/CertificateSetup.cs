using System.Data.Common;
using System.Diagnostics;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// The real app, hosted in the benchmark's (child) process: Program's own services and start-up (migrations, content
/// import, the signing key, the fonts), on a SQLite file in a temporary data folder. No request is served: the
/// benchmark calls the issuing code through the app's DI, as a Hangfire job does, or lets the app's Hangfire server run.
/// </summary>
internal sealed class CertificateApp(RepoLayout repo, string dataPath, bool runJobServer, bool nativeBusyTimeout = false) : WebApplicationFactory<CertificateIssuer>
{
    /// <summary>Where links point (the QR code, the verification URL): as long as a real site's, so the QR code is the same size.</summary>
    public const string SiteUrl = "https://learning.cistrat.example.org";

    public string DataPath => dataPath;

    public bool RunsJobServer => runJobServer;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Production: no developer pages, the settings a deployment starts from.
        builder.UseEnvironment("Production");
        // The web project's folder, as when the app is run from it (appsettings.json); the factory would look for it beside the .sln.
        builder.UseContentRoot(repo.WebProject);
        builder.UseSetting("Learning:DataPath", dataPath);
        builder.UseSetting("Learning:ContentPath", Path.Combine(repo.Root, "content"));
        builder.UseSetting("Mail:SiteUrl", SiteUrl);
        // No Mail:Host: mail goes to .eml files in the pickup folder, never to a network server.
        builder.UseSetting("Jobs:RunServer", runJobServer ? "true" : "false");
        // The recurring sweeps stay off: the batches are started as the coordinator's page starts them.
        builder.UseSetting("Jobs:Schedule", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // A unique-key collision that MintAsync retries is logged by EF Core as an error with the whole command: counted
        // here instead of printed, so the console shows the benchmark's own lines.
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "None");
        builder.ConfigureLogging(logging => logging
            .AddProvider(SaveFailures.Instance)
            .AddFilter<SaveFailures>("Microsoft.EntityFrameworkCore.Update", LogLevel.Error));
        if (nativeBusyTimeout)
            builder.ConfigureTestServices(services => services.ConfigureDbContext<LearningDbContext>(o => o.AddInterceptors(BusyTimeout.Instance)));
    }

    /// <summary>Starts the host: migrations, content import, the signing key, as in production.</summary>
    public IServiceProvider Start() => Services;

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        // Hangfire logs through one provider for the whole process, the last configured host's: once this host is
        // disposed, the next Hangfire storage in the process (the baseline, the next host) would log into its disposed
        // logger factory. Jobs' failures are kept in their state, and the batch items' errors are read from the database.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentHangfireLog.Instance);
        return host;
    }
}

/// <summary>
/// The what-if of the benchmark (not the app's configuration): SQLite's own busy handler on every connection the app opens.
/// Without it, Microsoft.Data.Sqlite meets a locked database by sleeping 150 ms and trying again; SQLite's handler
/// (<c>PRAGMA busy_timeout</c>) retries within the step after a millisecond or a few, so concurrent writers queue tightly.
/// </summary>
internal sealed class BusyTimeout : DbConnectionInterceptor
{
    public static readonly BusyTimeout Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000";
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 30000";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Hangfire's internal log, dropped (as in the web tests' LearningAppFactory).</summary>
internal sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentHangfireLog Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}

/// <summary>Counts EF Core's "SaveChanges failed" events (a unique key hit, which the minting retries), by the key's index.</summary>
internal sealed class SaveFailures : ILoggerProvider, ILogger
{
    public static readonly SaveFailures Instance = new();

    private int _all;
    private int _statusListIndex;

    /// <summary>All failed saves, and those on the unique status-list index (a random index drawn twice), so far.</summary>
    public (int All, int StatusListIndex) Counts => (Volatile.Read(ref _all), Volatile.Read(ref _statusListIndex));

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // CoreEventId.SaveChangesFailed.
        if (eventId.Id != 10000)
            return;
        Interlocked.Increment(ref _all);
        if ((exception?.InnerException?.Message ?? "").Contains("StatusListIndex", StringComparison.Ordinal))
            Interlocked.Increment(ref _statusListIndex);
    }

    public void Dispose()
    {
        // One instance for the process; nothing to release.
    }
}

/// <summary>A cohort made for the benchmark: its trainees are enrolled (active) and their names in four scripts in turn.</summary>
internal sealed record CertificateCohort(int CohortId, string CoordinatorId, IReadOnlyList<int> EnrolmentIds, TimeSpan Seeded);

internal static class CertificateSetup
{
    public const string CourseSlug = "ai-capacity";

    /// <summary>The scripts a trainee's name is written in, in turn: names as real trainees of the centre have them.</summary>
    public static readonly IReadOnlyList<(string Script, string[] Names)> Scripts =
    [
        ("Latin", ["Nguyễn Thị Ngọc Ánh", "José Ñúñez-Grünewald", "Zoë Françoise Ødegård", "Łukasz Żółkiewski", "Adaeze Okonkwo-Ezeigbo"]),
        ("Arabic", ["فاطمة الزهراء بن علي", "محمد عبد الرحمن الحسيني", "ليلى يوسف القاسمي", "عمر خالد المنصوري", "نور الهدى سعيد"]),
        ("Chinese", ["王芳", "李小龙", "陈静怡", "欧阳建国", "张伟明"]),
        ("Amharic", ["አበበ ቢቂላ", "መሰረት ደፋር", "ጥሩነሽ ዲባባ", "ኃይሌ ገብረሥላሴ", "ብርሃኑ ነጋ"]),
    ];

    private const string Domain = "certificates.bench.local";

    public static string ScriptOf(int number) => Scripts[number % Scripts.Count].Script;

    /// <summary>
    /// A cohort of the course <see cref="CourseSlug"/> with two lecturers and a coordinator on its staff, and
    /// <paramref name="trainees"/> new accounts enrolled (active), all in one SaveChanges through the app's DbContext.
    /// </summary>
    public static async Task<CertificateCohort> SeedAsync(IServiceProvider services, string name, int trainees, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<LearningDbContext>();
        var course = await db.Courses.AsNoTracking().Where(c => c.Slug == CourseSlug).Select(c => new { c.Id }).SingleOrDefaultAsync(ct)
            ?? throw new BenchmarkException($"The course {CourseSlug} was not imported from content/: the content changed.");
        var roles = await db.Roles.ToDictionaryAsync(r => r.Name!, r => r.Id, ct);
        var now = DateTime.UtcNow;
        var prefix = name.ToLowerInvariant().Replace(' ', '-');

        var coordinator = NewAccount($"{prefix}-coordinator", "Amina Diallo", now);
        var lecturers = new[] { NewAccount($"{prefix}-lecturer1", "Dr. Søren Kierkegaard-Østergaard", now), NewAccount($"{prefix}-lecturer2", "Prof. Chiara Esposito", now) };
        var accounts = Enumerable.Range(0, trainees).Select(i => NewAccount($"{prefix}-{i:D5}", NameOf(i), now)).ToList();
        db.Users.AddRange([coordinator, .. lecturers, .. accounts]);
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = coordinator.Id, RoleId = roles[Roles.Coordinator] });
        db.UserRoles.AddRange(lecturers.Select(l => new IdentityUserRole<string> { UserId = l.Id, RoleId = roles[Roles.Lecturer] }));
        db.UserRoles.AddRange(accounts.Select(a => new IdentityUserRole<string> { UserId = a.Id, RoleId = roles[Roles.Trainee] }));

        var cohort = new Cohort
        {
            CourseId = course.Id, Name = $"{name} cohort, spring 2027", StartsOn = new DateOnly(2027, 3, 1), EndsOn = new DateOnly(2027, 5, 28),
            TimeZoneId = "Africa/Addis_Ababa", Policy = EnrolmentPolicy.Open, CreatedAt = now,
        };
        cohort.Staff.Add(new CohortStaff { UserId = coordinator.Id, Role = StaffRole.Coordinator });
        foreach (var lecturer in lecturers)
            cohort.Staff.Add(new CohortStaff { UserId = lecturer.Id, Role = StaffRole.Lecturer });
        foreach (var account in accounts)
            cohort.Enrolments.Add(new Enrolment { UserId = account.Id, Status = EnrolmentStatus.Active, RequestedAt = now, DecidedAt = now });
        db.Cohorts.Add(cohort);
        await db.SaveChangesAsync(ct);
        return new CertificateCohort(cohort.Id, coordinator.Id, [.. cohort.Enrolments.Select(e => e.Id).Order()], clock.Elapsed);
    }

    /// <summary>
    /// Records a batch for the whole cohort, as the coordinator's "Issue" button does after its eligibility check
    /// (<c>ManageModel.OnPostIssueAsync</c>: <see cref="CertificateService.StartBatchAsync"/>); returns the batch and its items.
    /// </summary>
    public static async Task<(int BatchId, IReadOnlyList<int> Items)> StartBatchAsync(IServiceProvider services, CertificateCohort cohort, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var certificates = scope.ServiceProvider.GetRequiredService<CertificateService>();
        var batch = await certificates.StartBatchAsync(cohort.CohortId, CertificateKind.Completion, [.. cohort.EnrolmentIds], cohort.CoordinatorId, ct)
            ?? throw new BenchmarkException("StartBatchAsync recorded no batch: none of the seeded enrolments is active.");
        return (batch.Id, [.. batch.Items.Select(i => i.Id).Order()]);
    }

    /// <summary>The n-th trainee's name: the scripts in turn, each through its list of names.</summary>
    public static string NameOf(int number)
    {
        var (_, names) = Scripts[number % Scripts.Count];
        return names[number / Scripts.Count % names.Length];
    }

    private static ApplicationUser NewAccount(string local, string fullName, DateTime now)
    {
        var email = $"{local}@{Domain}";
        return new ApplicationUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = true,
            SecurityStamp = Guid.NewGuid().ToString("N").ToUpperInvariant(),
            FullName = fullName,
            PreferredLanguage = "en",
            TimeZoneId = "Africa/Addis_Ababa",
            CreatedAt = now,
        };
    }
}
