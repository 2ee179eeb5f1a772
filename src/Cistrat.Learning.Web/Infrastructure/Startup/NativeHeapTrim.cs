using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Cistrat.Learning.Web.Infrastructure.Startup;

/// <summary>
/// Gives the C heap's free memory back to the system after each full garbage collection, on Linux with glibc.
/// glibc keeps what is freed inside its arenas (one per thread that allocated while another held one, up to eight per
/// core) for reuse, and returns it only from the top of the main arena: the free space between live blocks stays
/// resident. SQLite (page caches, statements), the TLS and crypto libraries and the runtime allocate there. When
/// thousands of trainees join a live room, that free space was 25-60 MB of the server's resident memory, 5-12 KB a
/// connection, and how much of it stayed depended on the run (see the live-room section of the benchmark report).
/// <c>malloc_trim(0)</c> releases those pages (glibc 2.8 and later) and keeps the arenas.
/// </summary>
/// <remarks>
/// Runs when the garbage collector has collected its oldest generation, as the runtime's own pools trim themselves:
/// an object that makes itself reachable again from its finalizer is finalized after each full collection once it
/// is in the oldest generation. At most once a second; a trim takes a few milliseconds on the finalizer thread.
/// </remarks>
internal sealed class NativeHeapTrim
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(1);
    private static long _trims;
    private long _last;

    private NativeHeapTrim()
    {
    }

    /// <summary>Trims done so far in this process.</summary>
    public static long Trims => Interlocked.Read(ref _trims);

    /// <summary>Starts trimming after full collections; false where there is no glibc to trim.</summary>
    public static bool Start()
    {
        if (!OperatingSystem.IsLinux() || !TryTrim())
            return false;
        _ = new NativeHeapTrim();
        return true;
    }

    ~NativeHeapTrim()
    {
        if (Environment.HasShutdownStarted)
            return;
        if (_last == 0 || Stopwatch.GetElapsedTime(_last) >= MinimumInterval)
        {
            TryTrim();
            _last = Stopwatch.GetTimestamp();
        }

        GC.ReRegisterForFinalize(this);
    }

    private static bool TryTrim()
    {
        try
        {
            // 1 when pages were released, 0 when there was nothing to release: both are fine.
            _ = MallocTrim(0);
            Interlocked.Increment(ref _trims);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, as on Alpine, has no arenas to trim).
            return false;
        }
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MallocTrim(nuint pad);
}
