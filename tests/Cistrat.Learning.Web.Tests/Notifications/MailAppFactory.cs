using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>
/// The real app sending its mail over SMTP to a <see cref="TestSmtpServer"/> of its own. The app's own SMTP transport
/// does the sending; a test may add a fault that strikes right after the server accepted a message (see
/// <see cref="TransportFaults"/>), and otherwise the wrapper passes everything through.
/// </summary>
public class MailAppFactory : LearningAppFactory
{
    public const string SiteUrl = "https://learning.example.org";
    public const string FromAddress = "courses@learning.example.org";
    public const string FromName = "Cistrat Learning (tests)";

    /// <summary>Small batches, so that a few hundred messages make several batches and two dispatchers interleave.</summary>
    public const int BatchSize = 50;

    public TestSmtpServer Smtp { get; } = new();

    public TransportFaults Faults { get; } = new();

    /// <summary>Errors the app logged, to explain a failure that happened out of a test's sight (a job, a request).</summary>
    public ErrorLog Log { get; } = new();

    protected override int? SmtpPort => Smtp.Port;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        base.ConfigureWebHost(builder);
        builder.UseSetting("Mail:SiteUrl", SiteUrl);
        builder.UseSetting("Mail:FromAddress", FromAddress);
        builder.UseSetting("Mail:FromName", FromName);
        builder.UseSetting("Mail:BatchSize", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureLogging(logging => logging.AddProvider(Log));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IMailTransport>();
            services.AddSingleton<SmtpMailTransport>();
            services.AddSingleton<IMailTransport>(sp => new FaultyTransport(sp.GetRequiredService<SmtpMailTransport>(), Faults));
        });
    }

    public override async ValueTask InitializeAsync()
    {
        await Smtp.StartAsync();
        await base.InitializeAsync();
    }

    /// <summary>A clean slate for the next test: database, clock, faults, and a running, empty SMTP server.</summary>
    public async Task ResetMailAsync()
    {
        Faults.Clear();
        Log.Clear();
        await ResetAsync();
        await Smtp.StartAsync();
        Smtp.Clear();
    }

    /// <summary>One run of the app's dispatcher, in a scope of its own, as the dispatch job runs it.</summary>
    public async Task<DispatchResult> DispatchAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailDispatcher>().DispatchAsync(MailDispatchJob.Budget, TestContext.Current.CancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The same app with a Hangfire server running in it, for tests of jobs as Hangfire runs them.</summary>
public sealed class HangfireMailAppFactory : MailAppFactory
{
    protected override bool RunsJobServer => true;
}

/// <summary>What the test transport does after the real server accepted a message.</summary>
public sealed class TransportFaults
{
    /// <summary>
    /// Runs after each message the SMTP server accepted, before the dispatcher learns that it was sent: throwing here
    /// plays a process that dies between the effect and its record.
    /// </summary>
    public Func<MimeMessage, Task>? AfterSend { get; set; }

    public void Clear() => AfterSend = null;
}

/// <summary>The app's real transport, with <see cref="TransportFaults"/> applied after each accepted message.</summary>
internal sealed class FaultyTransport(IMailTransport inner, TransportFaults faults) : IMailTransport
{
    public async Task<IMailConnection> ConnectAsync(CancellationToken ct) => new Connection(await inner.ConnectAsync(ct), faults);

    private sealed class Connection(IMailConnection inner, TransportFaults faults) : IMailConnection
    {
        public async Task SendAsync(MimeMessage message, CancellationToken ct)
        {
            await inner.SendAsync(message, ct);
            if (faults.AfterSend is { } fault)
                await fault(message);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

/// <summary>Thrown by a test fault to play the process dying: not an SMTP error, so nothing in the app handles it.</summary>
public sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("Simulated crash after the SMTP server accepted the message.")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Keeps what the app logs at Error and above, with exceptions.</summary>
public sealed class ErrorLog : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    public override string ToString() => _entries.IsEmpty ? "(no errors logged)" : string.Join("\n", _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ErrorLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log._entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
