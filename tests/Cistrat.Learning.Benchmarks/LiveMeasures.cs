using System.Diagnostics;

namespace Cistrat.Learning.Benchmarks;

/// <summary>How slide changes are paced: the first ones warm the path up and are not counted.</summary>
internal sealed record SlidePlan(int WarmUpChanges, int MeasuredChanges, TimeSpan Interval)
{
    public int Total => WarmUpChanges + MeasuredChanges;
}

/// <summary>
/// Delivery of the measured slide changes to every connected client: latency is from the moment the sender started
/// sending (the lecturer's call) to the moment a client's handler ran, both read from this process's clock.
/// </summary>
internal sealed record DeliveryStats(
    int Changes,
    int Clients,
    long Delivered,
    long Missed,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan Max,
    TimeSpan LastClientMedian,
    TimeSpan LastClientMax)
{
    /// <param name="sentAt">Per change, when it was sent.</param>
    /// <param name="receivedAt">Per client, per change, when it arrived; 0 when it never did.</param>
    /// <param name="firstMeasured">Changes before this one were warm-up.</param>
    public static DeliveryStats From(IReadOnlyList<long> sentAt, IReadOnlyList<long[]> receivedAt, int firstMeasured)
    {
        var latencies = new List<long>(receivedAt.Count * Math.Max(0, sentAt.Count - firstMeasured));
        var lastClient = new List<long>();
        long missed = 0;
        for (var change = firstMeasured; change < sentAt.Count; change++)
        {
            var last = 0L;
            var complete = true;
            foreach (var client in receivedAt)
            {
                if (client[change] == 0)
                {
                    missed++;
                    complete = false;
                    continue;
                }

                var latency = client[change] - sentAt[change];
                latencies.Add(latency);
                last = Math.Max(last, latency);
            }

            if (complete)
                lastClient.Add(last);
        }

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        var lasts = lastClient.ToArray();
        Array.Sort(lasts);
        return new DeliveryStats(
            sentAt.Count - firstMeasured, receivedAt.Count, sorted.Length, missed,
            Ticks.Percentile(sorted, 0.50), Ticks.Percentile(sorted, 0.99), sorted.Length == 0 ? TimeSpan.Zero : Ticks.ToTimeSpan(sorted[^1]),
            Ticks.Percentile(lasts, 0.50), lasts.Length == 0 ? TimeSpan.Zero : Ticks.ToTimeSpan(lasts[^1]));
    }
}

/// <summary>What one side of the comparison (the live room, or the bare fan-out) measured at one N.</summary>
internal sealed record FanOutMeasurement(
    int Clients,
    TimeSpan ConnectTime,
    int ConnectFailures,
    IReadOnlyList<string> ConnectErrors,
    MemoryReading Before,
    int HalfClients,
    MemoryReading Half,
    MemoryReading After,
    DeliveryStats Slides,
    ResourceUse SlideResources,
    int DroppedConnections)
{
    /// <summary>Server memory with N connected minus before any connected, over N: what the target is judged on.</summary>
    public double BytesPerConnection => (double)(After.Rss - Before.Rss) / Clients;

    /// <summary>
    /// The second half's share alone: once the first half has connected, costs that do not grow with connections (a
    /// larger allocation budget after the join burst, caches) are paid, so this is closer to the cost of one more.
    /// </summary>
    public double MarginalBytesPerConnection => (double)(After.Rss - Half.Rss) / (Clients - HalfClients);

    /// <summary>The managed heap's part of <see cref="BytesPerConnection"/>: what the collections left alive, over N.</summary>
    public double? ManagedBytesPerConnection => After.Heap is { } after && Before.Heap is { } before ? (double)(after.HeapBytes - before.HeapBytes) / Clients : null;

    /// <summary>Every reading came after the server's own aggressive collection (false when a server had no probe).</summary>
    public bool Collected => Before.Heap is not null && Half.Heap is not null && After.Heap is not null;
}

internal static class Ticks
{
    public static long Of(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

    public static TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts.</summary>
    public static TimeSpan Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : ToTimeSpan(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    public static async Task WaitUntilAsync(long timestamp, CancellationToken ct)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
            await Task.Delay(ToTimeSpan(wait), ct);
    }

    /// <summary>Polls <paramref name="done"/> until it holds or <paramref name="timeout"/> passes; true when it held.</summary>
    public static async Task<bool> WaitForAsync(Func<bool> done, TimeSpan timeout, TimeSpan every, CancellationToken ct)
    {
        var deadline = Stopwatch.GetTimestamp() + Of(timeout);
        while (!done())
        {
            if (Stopwatch.GetTimestamp() > deadline)
                return false;
            await Task.Delay(every, ct);
        }

        return true;
    }
}

/// <summary>A server's memory, resident and managed, once it has gone quiet and collected its garbage.</summary>
internal readonly record struct MemoryReading(long Rss, ManagedHeap? Heap);

internal static class SettledMemory
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(3);

    public static async Task<MemoryReading> ReadAsync(ServerProcess server, CancellationToken ct)
    {
        await Task.Delay(Quiet, ct);
        var heap = await GcProbe.CollectAsync(server.Id, ct);
        var rss = server.ReadRssBytes() ?? throw new BenchmarkException($"The server exited unexpectedly. Its last output:{Environment.NewLine}{server.OutputTail}");
        return new MemoryReading(rss, heap);
    }
}
