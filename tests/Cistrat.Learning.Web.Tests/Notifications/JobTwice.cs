using System.Linq.Expressions;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>How <see cref="JobTwice"/> runs a job twice.</summary>
public enum TwoRuns
{
    /// <summary>The second run starts after the first finished: a job retried, or re-run after its worker died.</summary>
    OneAfterTheOther,

    /// <summary>Both at once: two nodes, or a job handed to a second worker while the first still runs.</summary>
    AtOnce,
}

/// <summary>
/// Hangfire delivers a job at least once: a worker that dies after the job's effect and before "Succeeded", or a job
/// that outlives the invisibility timeout, runs it again. This runs a job twice and asserts its effect happened once.
/// </summary>
public static class JobTwice
{
    /// <summary>
    /// Runs <paramref name="job"/> twice, each run in a DI scope of its own as Hangfire's activator makes one, and
    /// asserts that the first run had an effect, that no effect is there twice, and (one run after the other) that the
    /// second run added nothing.
    /// </summary>
    /// <param name="effect">
    /// What the job's effect looks like from outside, one string per effect (a message that arrived, a mail planned).
    /// A duplicate must show as the same string twice: name the thing the reader would see twice, not a row id.
    /// </param>
    /// <returns>The effects of the runs.</returns>
    public static async Task<IReadOnlyList<string>> AssertEffectOnceAsync<TJob>(
        IServiceProvider services, Expression<Func<TJob, Task>> job, Func<Task<IReadOnlyList<string>>> effect, TwoRuns runs = TwoRuns.OneAfterTheOther)
        where TJob : notnull
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(effect);
        var name = NameOf(job);
        var run = job.Compile();
        async Task RunOnceAsync()
        {
            await using var scope = services.CreateAsyncScope();
            await run(ActivatorUtilities.GetServiceOrCreateInstance<TJob>(scope.ServiceProvider));
        }

        var before = await effect();
        if (runs == TwoRuns.AtOnce)
        {
            await Task.WhenAll(Task.Run(RunOnceAsync), Task.Run(RunOnceAsync));
            return AssertOnce(name, before, await effect(), "two runs at once");
        }

        await RunOnceAsync();
        var afterFirst = AssertOnce(name, before, await effect(), "the first run");
        await RunOnceAsync();
        var afterSecond = Minus(await effect(), before);
        Assert.True(
            afterFirst.Order(StringComparer.Ordinal).SequenceEqual(afterSecond.Order(StringComparer.Ordinal)),
            $"{name} run a second time changed its effect.\nAfter one run:\n  {string.Join("\n  ", afterFirst)}\nAfter two:\n  {string.Join("\n  ", afterSecond)}");
        return afterSecond;
    }

    /// <summary>"Class.Method" of the job method an expression calls.</summary>
    public static string NameOf(LambdaExpression job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var method = job.Body is MethodCallExpression call ? call.Method : throw new ArgumentException("Give the job as a call: j => j.RunAsync(...)", nameof(job));
        return NameOf(method);
    }

    public static string NameOf(MethodInfo method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return $"{method.DeclaringType!.Name}.{method.Name}";
    }

    private static List<string> AssertOnce(string name, IReadOnlyList<string> before, IReadOnlyList<string> after, string what)
    {
        var added = Minus(after, before);
        Assert.True(added.Count > 0, $"{what} of {name} had no effect: the scenario does not exercise the job.");
        var twice = added.GroupBy(e => e, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(twice.Count == 0, $"After {what} of {name}, an effect happened more than once:\n  {string.Join("\n  ", twice)}");
        return added;
    }

    /// <summary>The multiset difference: what is in <paramref name="after"/> beyond <paramref name="before"/>.</summary>
    private static List<string> Minus(IReadOnlyList<string> after, IReadOnlyList<string> before)
    {
        var left = before.GroupBy(e => e, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var e in after)
        {
            if (left.TryGetValue(e, out var n) && n > 0)
                left[e] = n - 1;
            else
                result.Add(e);
        }

        return result;
    }
}
