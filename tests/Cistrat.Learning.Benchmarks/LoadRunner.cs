using System.Diagnostics;
using System.Net;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// Closed-loop load: each of N clients sends its next request as soon as the previous one is answered, for a
/// warm-up and then a measured window. Throughput and latency count only the responses that complete inside the
/// window; every latency is kept, so percentiles are exact rather than read from histogram buckets.
/// </summary>
internal static class LoadRunner
{
    private const int ErrorExamplesKept = 5;

    public static async Task<LoadResult> RunAsync(
        HttpClient client, string target, Uri uri, int clients, TimeSpan warmUp, TimeSpan measure, CancellationToken ct)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var window = new Window(startedAt + ToTicks(warmUp), startedAt + ToTicks(warmUp) + ToTicks(measure));
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var runs = Enumerable.Range(0, clients).Select(_ => RunClientAsync(client, uri, window, abort)).ToArray();
        try
        {
            await Task.WhenAll(runs);
        }
        catch (Exception) when (runs.Where(r => r.IsFaulted).SelectMany(r => r.Exception!.InnerExceptions).OfType<BenchmarkException>().FirstOrDefault() is { } fatal)
        {
            throw fatal;
        }

        var tallies = runs.Select(r => r.Result).ToList();
        var latencies = tallies.SelectMany(t => t.Latencies).ToArray();
        Array.Sort(latencies);
        var errors = tallies.Sum(t => t.Errors);
        var bytes = tallies.Sum(t => t.Bytes);
        return new LoadResult(
            target,
            clients,
            measure,
            Succeeded: latencies.Length,
            errors,
            RequestsPerSecond: latencies.Length / measure.TotalSeconds,
            P50: Percentile(latencies, 0.50),
            P99: Percentile(latencies, 0.99),
            Max: latencies.Length == 0 ? TimeSpan.Zero : FromTicks(latencies[^1]),
            MeanResponseBytes: latencies.Length == 0 ? 0 : (double)bytes / latencies.Length,
            ErrorExamples: tallies.SelectMany(t => t.ErrorExamples).Distinct().Take(ErrorExamplesKept).ToList(),
            LoadStart: startedAt,
            MeasureStart: window.Start,
            MeasureEnd: window.End);
    }

    private static async Task<Tally> RunClientAsync(HttpClient client, Uri uri, Window window, CancellationTokenSource abort)
    {
        var tally = new Tally();
        var buffer = new byte[16 * 1024];
        // Yield first, so that all clients start together rather than one after another on this thread.
        await Task.Yield();
        while (Stopwatch.GetTimestamp() < window.End)
        {
            var sent = Stopwatch.GetTimestamp();
            string? error;
            long bytes;
            try
            {
                (bytes, error) = await SendAsync(client, uri, buffer, abort.Token);
            }
            catch (BenchmarkException)
            {
                await abort.CancelAsync();
                throw;
            }

            var answered = Stopwatch.GetTimestamp();
            if (answered < window.Start || answered > window.End)
                continue;
            if (error is null)
            {
                tally.Latencies.Add(answered - sent);
                tally.Bytes += bytes;
            }
            else
            {
                tally.Errors++;
                if (tally.ErrorExamples.Count < ErrorExamplesKept)
                    tally.ErrorExamples.Add(error);
            }
        }

        return tally;
    }

    /// <summary>Reads the whole body as bytes (still compressed, if it was), returning their count or what went wrong.</summary>
    private static async Task<(long Bytes, string? Error)> SendAsync(HttpClient client, Uri uri, byte[] buffer, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.Headers.Location is { } location && location.OriginalString.Contains(Site.LoginPath, StringComparison.OrdinalIgnoreCase))
                throw new BenchmarkException($"GET {uri} was redirected to {location}: the sign-in cookie no longer works.");
            long bytes = 0;
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                    bytes += read;
            }

            return response.StatusCode == HttpStatusCode.OK ? (bytes, null) : (bytes, $"{(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            return (0, $"{e.HttpRequestError}: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (0, $"no answer within {client.Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Nearest-rank percentile of sorted Stopwatch tick counts.</summary>
    private static TimeSpan Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? TimeSpan.Zero : FromTicks(sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)]);

    private static long ToTicks(TimeSpan duration) => (long)(duration.TotalSeconds * Stopwatch.Frequency);

    private static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);

    private sealed record Window(long Start, long End);

    private sealed class Tally
    {
        public List<long> Latencies { get; } = new(capacity: 4096);

        public List<string> ErrorExamples { get; } = [];

        public long Errors { get; set; }

        public long Bytes { get; set; }
    }
}

/// <summary>One target at one client count. Timestamps are <see cref="Stopwatch"/> ticks, to match the resource samples.</summary>
internal sealed record LoadResult(
    string Target,
    int Clients,
    TimeSpan Measured,
    long Succeeded,
    long Errors,
    double RequestsPerSecond,
    TimeSpan P50,
    TimeSpan P99,
    TimeSpan Max,
    double MeanResponseBytes,
    IReadOnlyList<string> ErrorExamples,
    long LoadStart,
    long MeasureStart,
    long MeasureEnd)
{
    public double ErrorRate => Succeeded + Errors == 0 ? 1 : (double)Errors / (Succeeded + Errors);
}
