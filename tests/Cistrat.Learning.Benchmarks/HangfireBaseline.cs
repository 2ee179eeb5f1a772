using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.Storage.SQLite;
using Microsoft.Data.Sqlite;

namespace Cistrat.Learning.Benchmarks;

/// <summary>What Hangfire alone does on the embedded storage: no-op jobs enqueued one after another, then run.</summary>
internal sealed record JobBaseline(
    int Jobs, int WarmUpJobs, int Workers, TimeSpan QueuePollInterval, TimeSpan InvisibilityTimeout, string JournalMode,
    TimeSpan Enqueued, TimeSpan AllSucceeded, double Cores, double OtherCores)
{
    /// <summary>From the first enqueue to the last job in the Succeeded state.</summary>
    public double JobsPerSecond => Jobs / AllSucceeded.TotalSeconds;

    public double EnqueuedPerSecond => Jobs / Enqueued.TotalSeconds;
}

/// <summary>
/// The baseline of the mail section: Hangfire on the same storage as the app's embedded default (Hangfire.Storage.SQLite,
/// a file of its own), with the app's settings (<c>JobsOptions</c>' defaults and the server options of
/// <c>JobsRegistration</c>), in this process. Its figure is what the job system itself costs per job, so that the
/// mail figure can be read as a ratio to it, and "one job per message" priced.
/// </summary>
internal static class HangfireBaseline
{
    /// <summary>As <c>JobsOptions</c>: the SQLite storage's own default (15 s) is far too slow for mail.</summary>
    public static readonly TimeSpan QueuePollInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan InvisibilityTimeout = TimeSpan.FromMinutes(5);

    public const int Workers = 4;

    private const int WarmUpJobs = 100;

    public static async Task<JobBaseline> RunAsync(int jobs, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("cistrat-jobs-bench-");
        try
        {
            // As the app configures Hangfire (JobsRegistration.AddLearningJobs).
            GlobalConfiguration.Configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            var path = Path.Combine(folder.FullName, "jobs.db");
            var storage = new SQLiteStorage(path, new SQLiteStorageOptions
            {
                QueuePollInterval = QueuePollInterval,
                InvisibilityTimeout = InvisibilityTimeout,
            });
            try
            {
                var client = new BackgroundJobClient(storage);
                using var server = new BackgroundJobServer(
                    new BackgroundJobServerOptions { WorkerCount = Workers, Queues = ["mail", "default"], SchedulePollingInterval = TimeSpan.FromSeconds(1) },
                    storage);
                await RunBatchAsync(client, storage, WarmUpJobs, ct);
                var (cpu, machine) = (Environment.CpuUsage.TotalTime, MachineBusyCoreSeconds());
                var (enqueued, succeeded) = await RunBatchAsync(client, storage, jobs, ct);
                var cores = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds / succeeded.TotalSeconds;
                var busy = (MachineBusyCoreSeconds() - machine) / succeeded.TotalSeconds;
                return new JobBaseline(jobs, WarmUpJobs, Workers, QueuePollInterval, InvisibilityTimeout, await JournalModeAsync(path, ct),
                    enqueued, succeeded, cores, Math.Max(0, busy - cores));
            }
            finally
            {
                (storage as IDisposable)?.Dispose();
            }
        }
        finally
        {
            try
            {
                folder.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    /// <summary>The journal mode the storage left its file in (it decides how many syncs a commit costs).</summary>
    private static async Task<string> JournalModeAsync(string path, CancellationToken ct)
    {
        await using var db = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync(ct);
        await using var command = db.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return Convert.ToString(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) ?? "unknown";
    }

    /// <summary>Core-seconds all cores spent busy since boot (the first line of /proc/stat, in clock ticks of 1/100 s).</summary>
    private static double MachineBusyCoreSeconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal: idle and iowait are the time nothing ran.
        return (fields.Sum() - fields[3] - fields[4]) / 100.0;
    }

    /// <summary>Enqueues <paramref name="jobs"/> no-op jobs one after another; returns the time to enqueue them and until all succeeded.</summary>
    private static async Task<(TimeSpan Enqueued, TimeSpan AllSucceeded)> RunBatchAsync(
        IBackgroundJobClient client, JobStorage storage, int jobs, CancellationToken ct)
    {
        var ran = NoOpJob.Expect(jobs);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < jobs; i++)
            client.Enqueue(() => NoOpJob.Run());
        var enqueued = clock.Elapsed;

        var timeout = TimeSpan.FromMinutes(5);
        await ran.WaitAsync(timeout, ct);
        // Every method has run; a job is done when its worker has moved it from Processing to Succeeded, right after.
        var monitoring = storage.GetMonitoringApi();
        while (monitoring.ProcessingCount() > 0)
        {
            if (clock.Elapsed > timeout)
                throw new BenchmarkException($"Hangfire baseline: {jobs} no-op jobs had not all succeeded after {timeout.TotalMinutes:0} min.");
            await Task.Delay(10, ct);
        }

        return (enqueued, clock.Elapsed);
    }
}

/// <summary>The baseline's job: it only counts that it ran. Public, because Hangfire invokes only public methods.</summary>
public static class NoOpJob
{
    private static int s_left;
    private static TaskCompletionSource s_done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static void Run()
    {
        if (Interlocked.Decrement(ref s_left) == 0)
            s_done.TrySetResult();
    }

    internal static Task Expect(int runs)
    {
        s_done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref s_left, runs);
        return s_done.Task;
    }
}
