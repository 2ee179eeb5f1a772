using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// What a node logged: its warnings and errors, and SignalR's own messages from Information up (the backplane
/// says there when it lost and restored Redis), so a failing test can say what the server saw.
/// </summary>
public sealed class NodeLog(string node) : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public string Node { get; } = node;

    /// <summary>Categories kept from Information up; everything else from Warning up.</summary>
    public static readonly string[] InformationCategories = ["Microsoft.AspNetCore.SignalR"];

    /// <summary>One clock for every node and the tests, so their lines can be read in order.</summary>
    public static TimeSpan Now => Clock.Elapsed;

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public IReadOnlyList<Entry> Since(TimeSpan from) => [.. _entries.Where(e => e.At >= from)];

    public string Format(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return $"[{Node} +{entry.At.TotalSeconds:0.000}s] {entry.Level} {entry.Category}: {entry.Message}{(entry.Exception is null ? "" : "\n    " + entry.Exception)}";
    }

    public void Dispose()
    {
    }

    /// <summary>The exception's first line and the frames of this app's own code: enough to see where it was thrown.</summary>
    private static string Summary(Exception exception)
    {
        var lines = exception.ToString().Split('\n');
        return string.Join("\n    ", lines.Take(1).Concat(lines.Skip(1).Where(l => l.Contains("Cistrat.Learning", StringComparison.Ordinal))).Select(l => l.Trim()));
    }

    public sealed record Entry(TimeSpan At, LogLevel Level, string Category, string Message, string? Exception);

    private sealed class CategoryLogger(NodeLog log, string category) : ILogger
    {
        private readonly bool _information = InformationCategories.Any(c => category.StartsWith(c, StringComparison.Ordinal));

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (_information ? LogLevel.Information : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
                log._entries.Enqueue(new Entry(Now, logLevel, category, formatter(state, exception), exception is null ? null : Summary(exception)));
        }
    }
}
