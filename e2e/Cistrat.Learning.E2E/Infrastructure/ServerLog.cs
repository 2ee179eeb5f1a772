using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>
/// The app's warnings and errors during a run, written to e2e/screenshots/server.log beside the screenshots: a page
/// that says "The error was recorded" in a screenshot has its exception here.
/// </summary>
public sealed class ServerLog : ILoggerProvider
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();
    private bool _disposed;

    public ServerLog(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FilePath = path;
        _writer = new StreamWriter(path, append: false) { AutoFlush = true };
    }

    public string FilePath { get; }

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        lock (_gate)
        {
            // The host disposes its logger providers, and may still log while it stops.
            if (_disposed)
                return;
            _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level} {category}: {message}");
            if (exception is not null)
                _writer.WriteLine(exception);
        }
    }

    private sealed class CategoryLogger(ServerLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
                log.Write(category, logLevel, formatter(state, exception), exception);
        }
    }
}
