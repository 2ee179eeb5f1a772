using Cistrat.Learning.Core.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Cistrat.Learning.Web.Tests.Infrastructure;

/// <summary>
/// The real app over a real database: a SQLite file in a temporary data folder per test class, or SQL Server
/// when the environment variable <see cref="SqlServerVariable"/> holds a connection string (a database of its
/// own is created per test class and dropped afterwards).
/// </summary>
public class LearningAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SqlServerVariable = "CISTRAT_TEST_SQLSERVER";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "cistrat-tests", Guid.NewGuid().ToString("n"));

    public string DataPath => Path.Combine(_root, "data");

    /// <summary>The app's TimeProvider: tests move it forward to pass deadlines without waiting.</summary>
    public TestClock Clock { get; } = new();

    public string ContentPath => Path.Combine(_root, "content");

    public static string? SqlServerConnectionString => Environment.GetEnvironmentVariable(SqlServerVariable) is { Length: > 0 } cs ? cs : null;

    protected virtual void WriteContent(string contentPath) => TestContent.Write(contentPath);

    /// <summary>Whether this host runs a Hangfire server. Off by default: no background job runs in a test that did not ask for one.</summary>
    protected virtual bool RunsJobServer => false;

    /// <summary>Whether the recurring sweeps are registered at start-up. Off by default, for the same reason.</summary>
    protected virtual bool SchedulesRecurringJobs => false;

    /// <summary>
    /// A plain SMTP server on loopback to send mail to (no TLS, no pipelining, which costs MailKit about 45 ms a message
    /// against an in-process server); null keeps the app's default, .eml files in the pickup folder.
    /// </summary>
    protected virtual int? SmtpPort => null;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WriteContent(ContentPath);
        builder.UseEnvironment("Testing");
        builder.UseSetting("Learning:DataPath", DataPath);
        builder.UseSetting("Learning:ContentPath", ContentPath);
        builder.UseSetting("Learning:SignInAttemptsPerMinute", "10000");
        builder.UseSetting("Jobs:RunServer", RunsJobServer ? "true" : "false");
        builder.UseSetting("Jobs:Schedule", SchedulesRecurringJobs ? "true" : "false");
        if (SmtpPort is { } smtpPort)
        {
            builder.UseSetting("Mail:Host", "127.0.0.1");
            builder.UseSetting("Mail:Port", smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Mail:Security", "None");
            builder.UseSetting("Mail:Pipelining", "false");
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
        if (SqlServerConnectionString is { } sqlServer)
        {
            builder.UseSetting("Database:Provider", "SqlServer");
            builder.UseSetting("ConnectionStrings:Learning", new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(sqlServer)
            {
                InitialCatalog = "cistrat_test_" + Path.GetFileName(_root),
                TrustServerCertificate = true,
            }.ConnectionString);
        }
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        // Hangfire logs through one provider for the whole process, set by the host that configured Hangfire last. Once
        // that host is disposed, Hangfire code serving any other host in the process (a dashboard request, a job) throws
        // ObjectDisposedException creating a logger. The tests give Hangfire a provider that no host owns.
        Hangfire.Logging.LogProvider.SetCurrentLogProvider(SilentHangfireLog.Instance);
        return host;
    }

    public virtual ValueTask InitializeAsync()
    {
        // Starts the host, which migrates the database and imports the content, as in production.
        _ = Server;
        return ValueTask.CompletedTask;
    }

    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    public async Task<T> WithDbAsync<T>(Func<LearningDbContext, Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<LearningDbContext>());
    }

    public Task WithDbAsync(Func<LearningDbContext, Task> action) =>
        WithDbAsync(async db => { await action(db); return true; });

    /// <summary>Removes everything tests create (people, cohorts, progress, mail), keeping roles and imported content.</summary>
    public Task ResetAsync() => WithDbAsync(async db =>
    {
        Clock.Reset();
        await db.OutboxMessages.ExecuteDeleteAsync();
        await db.OutgoingMail.ExecuteDeleteAsync();
        await db.AnnouncementRecipients.ExecuteDeleteAsync();
        await db.Announcements.ExecuteDeleteAsync();
        await db.NotificationPreferences.ExecuteDeleteAsync();
        await db.CompletionRecords.ExecuteDeleteAsync();
        await db.QuizAttempts.ExecuteDeleteAsync();
        await db.LessonProgress.ExecuteDeleteAsync();
        await db.Invitations.ExecuteDeleteAsync();
        await db.Enrolments.ExecuteDeleteAsync();
        await db.CohortStaff.ExecuteDeleteAsync();
        await db.Cohorts.ExecuteDeleteAsync();
        await db.UserRoles.ExecuteDeleteAsync();
        await db.UserClaims.ExecuteDeleteAsync();
        await db.UserLogins.ExecuteDeleteAsync();
        await db.UserTokens.ExecuteDeleteAsync();
        await db.Users.ExecuteDeleteAsync();
    });

    public override async ValueTask DisposeAsync()
    {
        if (SqlServerConnectionString is not null)
            await WithDbAsync(db => db.Database.EnsureDeletedAsync());
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a finalising connection: the temp folder is cleaned by the OS later.
        }
    }
}

/// <summary>Hangfire's internal log, dropped: jobs' failures are kept in their state, and the app logs through its own host.</summary>
internal sealed class SilentHangfireLog : Hangfire.Logging.ILogProvider, Hangfire.Logging.ILog
{
    public static readonly SilentHangfireLog Instance = new();

    public Hangfire.Logging.ILog GetLogger(string name) => this;

    public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null) => false;
}
