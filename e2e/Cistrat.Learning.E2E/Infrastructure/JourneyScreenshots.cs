using Microsoft.Playwright;

namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>
/// Full-page screenshots of each step of one journey, in e2e/screenshots/&lt;Journey&gt;/NN-step.png (git-ignored), so a
/// person can look at what the journey saw. The folder is emptied once per run of the journey's class.
/// </summary>
public sealed class JourneyScreenshots<TJourney>
{
    private int _step;

    public JourneyScreenshots()
    {
        Folder = Path.Combine(RepoPaths.Screenshots, typeof(TJourney).Name);
        if (Directory.Exists(Folder))
            Directory.Delete(Folder, recursive: true);
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public async Task TakeAsync(IPage page, string step)
    {
        ArgumentNullException.ThrowIfNull(page);
        var file = Path.Combine(Folder, $"{Interlocked.Increment(ref _step):00}-{step}.png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
    }
}
