using Cistrat.Learning.Web.Infrastructure.Startup;

namespace Cistrat.Learning.Web.Tests.Infrastructure;

public sealed class NativeHeapTrimTests
{
    [Fact]
    public void AfterAFullCollection_TheCHeapIsTrimmed()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "glibc's arenas exist only on Linux.");
        // The app starts it in Program; starting it again here only adds a second trimmer, which is harmless.
        Assert.True(NativeHeapTrim.Start());
        var before = NativeHeapTrim.Trims;

        // A full collection finalizes the trimmer, which trims and stays registered for the next one (at most one trim
        // a second per trimmer).
        for (var i = 0; i < 3; i++)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(1100));
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
        }

        Assert.True(NativeHeapTrim.Trims >= before + 2, $"{NativeHeapTrim.Trims - before} trims after three full collections");
    }
}
