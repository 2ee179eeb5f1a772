using System.Diagnostics;
using System.Globalization;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// Samples the server's resident memory and CPU time, this process's CPU time and the whole machine's, every 100 ms,
/// so that each run can report its peak memory, how the shared cores were split between server and load generator,
/// and how much other processes took (a build running beside the benchmark makes its figures meaningless).
/// </summary>
internal sealed class ResourceSampler : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly ServerProcess _server;
    private readonly List<Sample> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    public ResourceSampler(ServerProcess server)
    {
        _server = server;
        _sampling = SampleAsync(_stop.Token);
    }

    /// <summary>Peak memory from the start of the load (warm-up included); CPU shares over the measured window alone.</summary>
    public ResourceUse Summarize(LoadResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Summarize(run.LoadStart, run.MeasureStart, run.MeasureEnd);
    }

    /// <summary>Peak memory from <paramref name="loadStart"/>; CPU shares from <paramref name="measureStart"/> to <paramref name="measureEnd"/> (<see cref="Stopwatch"/> ticks).</summary>
    public ResourceUse Summarize(long loadStart, long measureStart, long measureEnd)
    {
        List<Sample> during;
        lock (_samples)
            during = _samples.Where(s => s.Timestamp >= loadStart && s.Timestamp <= measureEnd).ToList();
        var measured = during.Where(s => s.Timestamp >= measureStart && s.ServerCpu is not null).ToList();
        var peak = during.Count == 0 ? 0 : during.Max(s => s.Rss) ?? 0;
        if (measured.Count < 2)
            return new ResourceUse(peak, double.NaN, double.NaN, double.NaN);
        var (first, last) = (measured[0], measured[^1]);
        var seconds = Stopwatch.GetElapsedTime(first.Timestamp, last.Timestamp).TotalSeconds;
        var server = (last.ServerCpu!.Value - first.ServerCpu!.Value).TotalSeconds / seconds;
        var own = (last.OwnCpu - first.OwnCpu).TotalSeconds / seconds;
        var machineTicks = last.Machine.Total - first.Machine.Total;
        var machineBusy = machineTicks == 0 ? double.NaN : Environment.ProcessorCount * (double)(last.Machine.Busy - first.Machine.Busy) / machineTicks;
        return new ResourceUse(peak, server, own, OtherCores: Math.Max(0, machineBusy - server - own));
    }

    public long PeakRssBytes()
    {
        lock (_samples)
            return _samples.Max(s => s.Rss) ?? 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }

    private async Task SampleAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var sample = new Sample(Stopwatch.GetTimestamp(), _server.ReadRssBytes(), _server.ReadCpuTime(), Environment.CpuUsage.TotalTime, MachineCpu.Read());
                lock (_samples)
                    _samples.Add(sample);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // Disposed: sampling ends with the benchmark.
        }
    }

    private sealed record Sample(long Timestamp, long? Rss, TimeSpan? ServerCpu, TimeSpan OwnCpu, MachineCpu Machine);

    /// <summary>The first line of /proc/stat: time all cores spent busy, and in total, since boot (in clock ticks).</summary>
    private sealed record MachineCpu(long Busy, long Total)
    {
        public static MachineCpu Read()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal: idle and iowait are the time nothing ran.
            var total = fields.Sum();
            return new MachineCpu(total - fields[3] - fields[4], total);
        }
    }
}

/// <summary>
/// In cores: 1.0 is one core busy for the whole measured window. OtherCores is what processes other than the
/// server and the load generator took meanwhile.
/// </summary>
internal sealed record ResourceUse(long PeakRssBytes, double ServerCores, double LoadGeneratorCores, double OtherCores);
