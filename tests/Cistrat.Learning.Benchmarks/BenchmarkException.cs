namespace Cistrat.Learning.Benchmarks;

/// <summary>The measurement itself failed (the server did not start, sign-in broke, too many errors): exit non-zero.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
