using Microsoft.Extensions.DependencyInjection;
using Xunit.Sdk;

namespace Cistrat.Learning.Web.Tests.Notifications;

/// <summary>The run-twice helper itself: it must catch a job that repeats its effect, and a scenario that tests nothing.</summary>
public sealed class JobTwiceTests
{
    [Theory]
    [InlineData(TwoRuns.OneAfterTheOther)]
    [InlineData(TwoRuns.AtOnce)]
    public async Task AJobThatRepeatsItsEffect_Fails(TwoRuns runs)
    {
        var effects = new Effects();
        await using var services = Services(effects);
        var failure = await Assert.ThrowsAnyAsync<XunitException>(() =>
            JobTwice.AssertEffectOnceAsync<CarelessTask>(services, t => t.RunAsync(CancellationToken.None), effects.ReadAsync, runs));
        Assert.Contains("CarelessTask.RunAsync", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJobWhoseSecondRunIsANoOp_Passes()
    {
        var effects = new Effects();
        await using var services = Services(effects);
        var once = await JobTwice.AssertEffectOnceAsync<CarefulTask>(services, t => t.RunAsync(CancellationToken.None), effects.ReadAsync);
        Assert.Equal(["reminder for ada"], once);
    }

    [Fact]
    public async Task AScenarioInWhichTheJobDoesNothing_Fails()
    {
        var effects = new Effects();
        await using var services = Services(effects);
        var failure = await Assert.ThrowsAnyAsync<XunitException>(() =>
            JobTwice.AssertEffectOnceAsync<IdleTask>(services, t => t.RunAsync(CancellationToken.None), effects.ReadAsync));
        Assert.Contains("had no effect", failure.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Services(Effects effects) =>
        new ServiceCollection().AddSingleton(effects).AddScoped<CarelessTask>().AddScoped<CarefulTask>().AddScoped<IdleTask>().BuildServiceProvider();

    public sealed class Effects
    {
        private readonly List<string> _done = [];

        public void Add(string effect)
        {
            lock (_done)
                _done.Add(effect);
        }

        public bool Has(string effect)
        {
            lock (_done)
                return _done.Contains(effect);
        }

        public Task<IReadOnlyList<string>> ReadAsync()
        {
            lock (_done)
                return Task.FromResult<IReadOnlyList<string>>([.. _done]);
        }
    }

    /// <summary>Sends its reminder every time it runs.</summary>
    public sealed class CarelessTask(Effects effects)
    {
        public async Task RunAsync(CancellationToken ct)
        {
            await Task.Delay(10, ct);
            effects.Add("reminder for ada");
        }
    }

    /// <summary>Checks first; fine one run after the other (not at once, which is why the real jobs use a unique key).</summary>
    public sealed class CarefulTask(Effects effects)
    {
        public Task RunAsync(CancellationToken ct)
        {
            if (!effects.Has("reminder for ada"))
                effects.Add("reminder for ada");
            return Task.CompletedTask;
        }
    }

    /// <summary>Runs, and changes nothing anyone can see.</summary>
    public sealed class IdleTask
    {
        public int Runs { get; private set; }

        public Task RunAsync(CancellationToken ct)
        {
            Runs++;
            return Task.CompletedTask;
        }
    }
}
