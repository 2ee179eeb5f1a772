using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Cistrat.Learning.Benchmarks;

/// <summary>
/// Loaded into every server the benchmark starts through DOTNET_STARTUP_HOOKS (<see cref="ServerProcess"/>): the
/// runtime calls <see cref="Initialize"/> before the server's Main. It must be called StartupHook, in no namespace.
/// </summary>
internal static class StartupHook
{
    public static void Initialize() => GcProbe.Listen();
}

namespace Cistrat.Learning.Benchmarks
{
    /// <summary>The managed heap of a server right after <see cref="GcProbe"/> collected it.</summary>
    /// <param name="HeapBytes">What the collection left alive, fragmentation included (<see cref="GCMemoryInfo.HeapSizeBytes"/>).</param>
    /// <param name="CommittedBytes">What the collector still holds from the system (<see cref="GCMemoryInfo.TotalCommittedBytes"/>).</param>
    internal readonly record struct ManagedHeap(long HeapBytes, long CommittedBytes);

    /// <summary>
    /// Runs an aggressive garbage collection inside a server on request, and answers with its heap. Memory per
    /// connection is a difference of two resident sizes; a collection forced from outside (the diagnostics port, as
    /// dotnet-gcdump does it) frees the garbage but leaves the collector holding the free regions its recent allocation
    /// rate asked for, which made the same run read 26 to 76 KB a connection depending on how far the warm-up had grown
    /// the heap. <see cref="GCCollectionMode.Aggressive"/> also gives those regions back, and only code in the process
    /// can ask for it: hence this listener, on a Unix socket named after the process, in the server's own process.
    /// </summary>
    internal static class GcProbe
    {
        public static string SocketPath(int processId) => Path.Combine(Path.GetTempPath(), $"cistrat-bench-gc-{processId}.sock");

        /// <summary>In the server: accepts requests on a background thread for the process's whole life.</summary>
        public static void Listen()
        {
            var path = SocketPath(Environment.ProcessId);
            File.Delete(path);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen();
            AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
            new Thread(() => Serve(listener)) { IsBackground = true, Name = "Benchmark GC probe" }.Start();
        }

        /// <summary>
        /// From the benchmark: has the server collect and give back what it can, then reads its heap; null when the
        /// server has no probe (it was started without the startup hook).
        /// </summary>
        public static async Task<ManagedHeap?> CollectAsync(int processId, CancellationToken ct)
        {
            var path = SocketPath(processId);
            if (!File.Exists(path))
                return null;

            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
            await socket.SendAsync("c"u8.ToArray(), SocketFlags.None, ct);
            var answer = new MemoryStream();
            var buffer = new byte[256];
            int read;
            while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                answer.Write(buffer, 0, read);

            var parts = Encoding.ASCII.GetString(answer.ToArray()).Split(' ');
            return parts.Length == 2
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var heap)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var committed)
                ? new ManagedHeap(heap, committed)
                : throw new BenchmarkException($"The server's GC probe answered '{Encoding.ASCII.GetString(answer.ToArray())}'.");
        }

        private static void Serve(Socket listener)
        {
            var request = new byte[1];
            while (true)
            {
                using var client = listener.Accept();
                if (client.Receive(request) != 1)
                    continue;

                // Twice, with finalizers run between: objects kept only for their finalizers go in the second.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
                client.Send(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{info.HeapSizeBytes} {info.TotalCommittedBytes}")));
                client.Shutdown(SocketShutdown.Both);
            }
        }
    }
}
