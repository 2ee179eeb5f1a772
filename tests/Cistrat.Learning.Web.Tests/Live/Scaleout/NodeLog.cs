using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Cistrat.Learning.Web.Tests.Live.Scaleout;

/// <summary>
/// What a node logged: its warnings and errors, and the SignalR backplane's and hub dispatcher's own messages
/// (a hub method that throws is logged only at Debug), so a failing test can say what the server saw.
/// </summary>
public sealed class NodeLog(string node) : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public string Node { get; } = node;

    /// <summary>Categories kept from Debug up; everything else from Warning up.</summary>
    public static readonly string[] DebugCategories =
    [
        "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher",
        "Microsoft.AspNetCore.SignalR.StackExchangeRedis",
    ];

    /// <summary>One clock for every node and the tests, so their lines can be read in order.</summary>
    public static TimeSpan Now => Clock.Elapsed;

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    public IReadOnlyList<Entry> Since(TimeSpan from) => [.. _entries.Where(e => e.At >= from)];

    public string Describe(TimeSpan from, Func<Entry, bool>? filter = null)
    {
        var lines = Since(from).Where(filter ?? (_ => true))
            .Select(e => $"[{Node} +{e.At.TotalSeconds:0.000}s] {e.Level} {e.Category}: {e.Message}{(e.Exception is null ? "" : "\n    " + e.Exception.Replace("\n", "\n    ", StringComparison.Ordinal))}");
        return string.Join('\n', lines);
    }

    public void Dispose()
    {
    }

    public sealed record Entry(TimeSpan At, LogLevel Level, string Category, string Message, string? Exception);

    private sealed class CategoryLogger(NodeLog log, string category) : ILogger
    {
        private readonly bool _debug = DebugCategories.Any(c => category.StartsWith(c, StringComparison.Ordinal));

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= (_debug ? LogLevel.Debug : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
                log._entries.Enqueue(new Entry(Now, logLevel, category, formatter(state, exception), exception?.ToString()));
        }
    }
}
