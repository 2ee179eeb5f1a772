using System.Globalization;
using System.Runtime.InteropServices;

namespace Cistrat.Learning.Benchmarks;

/// <summary>The facts a reader needs to compare two reports: the numbers mean little without the machine.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, long MemoryBytes, string Os, string Runtime, string LoadAverage)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        ProcFileValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        ProcFileValue("/proc/meminfo", "MemTotal") is { } total
            ? long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture) * 1024
            : 0,
        $"{OsRelease() ?? RuntimeInformation.OSDescription}, kernel {Environment.OSVersion.Version}",
        $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})",
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown");

    private static string? ProcFileValue(string path, string key)
    {
        if (!File.Exists(path))
            return null;
        return File.ReadLines(path)
            .Select(line => line.Split(':', 2))
            .Where(parts => parts.Length == 2 && parts[0].Trim() == key)
            .Select(parts => parts[1].Trim())
            .FirstOrDefault();
    }

    private static string? OsRelease() =>
        File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release")
                .Where(line => line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
                .Select(line => line["PRETTY_NAME=".Length..].Trim('"'))
                .FirstOrDefault()
            : null;
}
