using Cistrat.Learning.Web.Infrastructure.Startup;

namespace Cistrat.Learning.Web.Tests.Infrastructure;

public sealed class MallocArenasTests
{
    [Fact]
    public void Limit_OnGlibcLinux_IsApplied_UnlessTheOperatorSetTheVariable()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "glibc's arenas exist only on Linux.");
        Assert.SkipWhen(Environment.GetEnvironmentVariable(MallocArenas.Variable) is not null, "MALLOC_ARENA_MAX is set for this test run.");

        // mallopt answers 1 when it took the option: the call reached glibc and was accepted.
        Assert.True(MallocArenas.Limit());
    }

    [Fact]
    public void Limit_RefusesANonsenseCap()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MallocArenas.Limit(0));
    }
}
