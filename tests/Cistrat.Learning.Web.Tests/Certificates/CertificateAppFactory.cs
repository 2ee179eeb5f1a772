using System.Globalization;
using System.Net;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Cistrat.Learning.Web.Tests.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Web.Tests.Certificates;

/// <summary>How a <see cref="CertificateAppFactory"/> host is set up.</summary>
public sealed record CertificateAppSettings
{
    /// <summary>Whether a Hangfire server runs in the host (the real job server, on the app's own job storage).</summary>
    public bool JobServer { get; init; }

    public int Workers { get; init; } = 2;

    /// <summary>High by default, so that only the test of the limit meets it.</summary>
    public int VerifyRequestsPerMinute { get; init; } = 10_000;

    /// <summary>Settings of an app that runs on another app's data folder (and database), as a restarted node would.</summary>
    public IReadOnlyDictionary<string, string?> Extra { get; init; } = new Dictionary<string, string?>();
}

/// <summary>
/// The real app for the certificate tests: SQLite (or the configured SQL Server) in a data folder of its own, the real
/// certificate fonts and templates, and mail sent over SMTP to a <see cref="TestSmtpServer"/> on loopback. A request may
/// name its client address in <see cref="ClientHeader"/>, standing in for the connection's remote address (the in-memory
/// test server has none), so that per-client limits can be seen.
/// </summary>
public class CertificateAppFactory : LearningAppFactory
{
    public const string SiteUrl = "https://learning.example.org";
    public const string ClientHeader = "X-Test-Client-Address";

    private readonly CertificateAppSettings _settings;
    private readonly bool _ownsSmtp;

    public CertificateAppFactory()
        : this(new CertificateAppSettings(), null)
    {
    }

    protected CertificateAppFactory(CertificateAppSettings settings, TestSmtpServer? smtp)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
        Smtp = smtp ?? new TestSmtpServer();
        _ownsSmtp = smtp is null;
    }

    public TestSmtpServer Smtp { get; }

    /// <summary>Errors the app logged, to explain a failure that happened in a job, out of the test's sight.</summary>
    public ErrorLog Log { get; } = new();

    protected override bool RunsJobServer => _settings.JobServer;

    protected override int? SmtpPort => Smtp.Port;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.ConfigureWebHost(builder);
        builder.UseSetting("Mail:SiteUrl", SiteUrl);
        builder.UseSetting("Mail:FromAddress", "certificates@learning.example.org");
        builder.UseSetting("Mail:FromName", "Cistrat Learning (certificate tests)");
        builder.UseSetting("Certificates:VerifyRequestsPerMinute", _settings.VerifyRequestsPerMinute.ToString(CultureInfo.InvariantCulture));
        builder.UseSetting("Jobs:Workers", _settings.Workers.ToString(CultureInfo.InvariantCulture));
        // A worker fetches new work five times a second; a job whose worker died comes back after ten seconds.
        builder.UseSetting("Jobs:QueuePollInterval", "00:00:00.200");
        builder.UseSetting("Jobs:InvisibilityTimeout", "00:00:10");
        foreach (var (key, value) in _settings.Extra)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, ClientAddressFilter>());
    }

    public override async ValueTask InitializeAsync()
    {
        await Smtp.StartAsync();
        await base.InitializeAsync();
    }

    /// <summary>A clean slate: no certificates, sessions, people or cohorts, no mail received, nothing logged.</summary>
    public async Task ResetCertificatesAsync()
    {
        await ForgetCertificatesAsync(this);
        await WithDbAsync(async db =>
        {
            await db.AttendanceVisits.ExecuteDeleteAsync();
            await db.LiveSessionLecturers.ExecuteDeleteAsync();
            await db.LiveSessions.ExecuteDeleteAsync();
        });
        await ResetAsync();
        await Smtp.StartAsync();
        Smtp.Clear();
        Log.Clear();
    }

    /// <summary>
    /// Removes every certificate, file, batch and audit row: they point at enrolments, cohorts and people, which the
    /// shared reset of the other test classes deletes.
    /// </summary>
    public static Task ForgetCertificatesAsync(LearningAppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.WithDbAsync(async db =>
        {
            await db.CertificateFiles.ExecuteDeleteAsync();
            await db.CertificateBatchItems.ExecuteDeleteAsync();
            await db.CertificateBatches.ExecuteDeleteAsync();
            await db.CertificateAudit.ExecuteDeleteAsync();
            await db.Certificates.ExecuteDeleteAsync();
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsSmtp)
            await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sets the connection's remote address from <see cref="ClientHeader"/>, before any of the app's middleware.</summary>
    private sealed class ClientAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(ClientHeader, out var value) && IPAddress.TryParse(value.ToString(), out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

/// <summary>The app with a Hangfire server in it: what the coordinator's page starts is run by the real job server.</summary>
public sealed class HangfireCertificateAppFactory : CertificateAppFactory
{
    public HangfireCertificateAppFactory()
        : base(new CertificateAppSettings { JobServer = true, Workers = 2 }, null)
    {
    }
}

/// <summary>The app with the public verification page limited to three look-ups per client and minute.</summary>
public sealed class RateLimitedCertificateAppFactory : CertificateAppFactory
{
    public const int Limit = 3;

    public RateLimitedCertificateAppFactory()
        : base(new CertificateAppSettings { VerifyRequestsPerMinute = Limit }, null)
    {
    }
}

/// <summary>
/// One node of the app with its job server, for a test that stops a node mid-batch and starts another on the same data:
/// the test makes both, shares one SMTP server between them, and points the second at the first's data folder.
/// </summary>
public sealed class CertificateNode(CertificateAppSettings settings, TestSmtpServer smtp) : CertificateAppFactory(settings, smtp);
