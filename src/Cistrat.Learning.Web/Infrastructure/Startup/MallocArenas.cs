using System.Runtime.InteropServices;

namespace Cistrat.Learning.Web.Infrastructure.Startup;

/// <summary>
/// Caps the C allocator's arenas on Linux. glibc gives a thread that allocates while another holds an arena an arena
/// of its own, up to eight per core, and memory freed into one arena is not reused by threads of another nor given
/// back to the system: the thread pool's threads each keep their own high-water mark. The managed heap does not use
/// them, but SQLite (page caches, statements), the TLS and crypto libraries and the runtime do. With thousands of
/// trainees joining a live room that was about 5 KB of resident memory per connection, and under 2 KB with two arenas
/// (see the live-room section of the benchmark report). Must run before the host starts its threads.
/// </summary>
internal static class MallocArenas
{
    /// <summary>glibc's <c>M_ARENA_MAX</c> option of <c>mallopt</c>.</summary>
    private const int ArenaMaxOption = -8;

    /// <summary>The environment variable glibc reads itself; when an operator set it, theirs is the choice.</summary>
    public const string Variable = "MALLOC_ARENA_MAX";

    public const int Default = 2;

    /// <summary>True when the cap was applied: on Linux with glibc, and <see cref="Variable"/> not set.</summary>
    public static bool Limit(int arenas = Default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arenas, 1);
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null)
            return false;
        try
        {
            return Mallopt(ArenaMaxOption, arenas) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, as on Alpine, has no arenas to cap).
            return false;
        }
    }

    // DllImport rather than LibraryImport: two ints need no marshalling code, and the project allows no unsafe code.
    [DllImport("libc.so.6", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Mallopt(int option, int value);
}
