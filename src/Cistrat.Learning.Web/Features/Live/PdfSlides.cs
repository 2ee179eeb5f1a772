using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Cistrat.Learning.Core.Live;
using Cistrat.Learning.Web.Infrastructure.Storage;

namespace Cistrat.Learning.Web.Features.Live;

/// <summary>
/// Uploaded PDF decks and their pages as PNG images, for screens too small or browsers too old for a PDF viewer.
/// A session's files live in <c>&lt;data folder&gt;/live/&lt;sessionId&gt;/</c>: <c>deck.pdf</c> and <c>slides/1.png</c>,
/// <c>2.png</c>, ... Pages are drawn by poppler's <c>pdftoppm</c> (package poppler-utils) in a work folder beside them,
/// and only a complete set replaces the old one, so a failed or interrupted upload leaves the previous deck as it was.
/// </summary>
public sealed partial class PdfSlides(DataFolder folder, ILogger<PdfSlides> log) : IDisposable
{
    public const long MaxBytes = 25 * 1024 * 1024;
    public const int MaxPages = MarkdownSlides.MaxSlides;

    /// <summary>Width of a landscape page (height of a portrait one) in pixels: sharp on phones and projectors, small on slow links.</summary>
    public const int PageSize = 960;

    public static readonly TimeSpan DefaultConversionTimeout = TimeSpan.FromSeconds(120);

    private static readonly TimeSpan InfoTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] Magic = "%PDF-"u8.ToArray();
    private const int StripeCount = 64;
    private const int MaxErrorOutput = 16 * 1024;

    // One upload per session at a time (striped, so the locks need no cleanup); Page() takes the same stripe's
    // swap lock only when it finds no slides folder, which is the instant between the two renames of a swap.
    private readonly SemaphoreSlim[] _uploads = Enumerable.Range(0, StripeCount).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly Lock[] _swaps = Enumerable.Range(0, StripeCount).Select(_ => new Lock()).ToArray();

    // Drawing pages is CPU-heavy; a few lecturers uploading at once must not starve the live rooms.
    private readonly SemaphoreSlim _conversions = new(Math.Clamp(Environment.ProcessorCount / 2, 1, 4));

    /// <summary>The pdftoppm executable; a path or a name looked up in PATH. Tests point it elsewhere.</summary>
    internal string PdftoppmCommand { get; init; } = "pdftoppm";

    /// <summary>The pdfinfo executable (also poppler-utils). When missing, pages are counted after drawing them.</summary>
    internal string PdfinfoCommand { get; init; } = "pdfinfo";

    /// <summary>How long pdftoppm may take to draw all pages before it is stopped and the PDF refused.</summary>
    internal TimeSpan ConversionTimeout { get; init; } = DefaultConversionTimeout;

    /// <summary>
    /// Stores <paramref name="pdf"/> as the deck of session <paramref name="sessionId"/> and draws its pages, replacing
    /// any earlier deck once the new pages are all written.
    /// </summary>
    /// <returns>The number of pages.</returns>
    /// <exception cref="SlideDeckException">Not a PDF, too large, unreadable, too many pages, too slow to draw, or no pdftoppm on the server.</exception>
    public async Task<int> SaveAsync(int sessionId, Stream pdf, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessionId);
        ArgumentNullException.ThrowIfNull(pdf);
        var started = Stopwatch.GetTimestamp();
        var upload = _uploads[Stripe(sessionId)];
        await upload.WaitAsync(ct);
        var sessionFolder = SessionFolder(sessionId);
        var work = Path.Combine(sessionFolder, $".upload-{Guid.NewGuid():N}");
        try
        {
            RemoveLeftovers(sessionId);
            Directory.CreateDirectory(work);
            var deck = Path.Combine(work, "deck.pdf");
            var bytes = await CopyAsync(pdf, deck, ct);
            var pages = Path.Combine(work, "pages");
            Directory.CreateDirectory(pages);

            await _conversions.WaitAsync(ct);
            int count;
            try
            {
                var expected = await CountPagesAsync(deck, work, ct);
                count = await DrawPagesAsync(deck, pages, expected, ct);
            }
            finally
            {
                _conversions.Release();
            }

            Swap(sessionId, pages, deck);
            log.LogInformation("PDF deck of session {SessionId} saved: {Pages} pages from {Bytes} bytes in {Elapsed} ms",
                sessionId, count, bytes, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return count;
        }
        catch (SlideDeckException e)
        {
            log.LogWarning("PDF deck for session {SessionId} refused: {Problem}", sessionId, e.Message);
            throw;
        }
        finally
        {
            TryDelete(work);
            upload.Release();
        }
    }

    /// <summary>Page <paramref name="page"/> (1-based) of the session's PDF deck as a PNG, or null when there is none.</summary>
    public FileInfo? Page(int sessionId, int page)
    {
        if (sessionId <= 0 || page is < 1 or > MaxPages)
            return null;
        var slides = SlidesFolder(sessionId);
        var file = new FileInfo(Path.Combine(slides, PageName(page)));
        if (file.Exists || Directory.Exists(slides))
            return file.Exists ? file : null;
        // No slides folder: no deck, or a swap between its two renames (or a crash there). The swap lock settles it.
        lock (_swaps[Stripe(sessionId)])
        {
            RestoreInterruptedSwap(sessionId);
            file.Refresh();
            return file.Exists ? file : null;
        }
    }

    /// <summary>Removes the session's deck and pages. An upload running at the same time fails.</summary>
    public void Delete(int sessionId)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessionId);
        lock (_swaps[Stripe(sessionId)])
        {
            var sessionFolder = SessionFolder(sessionId);
            if (Directory.Exists(sessionFolder))
                Directory.Delete(sessionFolder, recursive: true);
        }
    }

    public void Dispose()
    {
        foreach (var upload in _uploads)
            upload.Dispose();
        _conversions.Dispose();
    }

    private string SessionFolder(int sessionId) =>
        folder.PathOf(Path.Combine("live", sessionId.ToString(CultureInfo.InvariantCulture)));

    private string SlidesFolder(int sessionId) => Path.Combine(SessionFolder(sessionId), "slides");

    private static string PageName(int page) => page.ToString(CultureInfo.InvariantCulture) + ".png";

    private static int Stripe(int sessionId) => sessionId % StripeCount;

    /// <summary>Copies the upload to <paramref name="path"/>, refusing it unless it starts like a PDF and stays within <see cref="MaxBytes"/>.</summary>
    private static async Task<long> CopyAsync(Stream pdf, string path, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        int read;
        while ((read = await pdf.ReadAsync(buffer, ct)) > 0)
        {
            if (total < Magic.Length)
            {
                var head = Math.Min(read, Magic.Length - (int)total);
                if (!buffer.AsSpan(0, head).SequenceEqual(Magic.AsSpan((int)total, head)))
                    throw NotAPdf();
            }

            total += read;
            if (total > MaxBytes)
            {
                throw new SlideDeckException(
                    $"This PDF is larger than {MaxBytes / (1024 * 1024)} MB. Save it again with smaller images (many programs offer \"reduce file size\" or \"minimum size\") and upload it again.");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), ct);
        }

        if (total < Magic.Length)
            throw total == 0 ? new SlideDeckException("This file is empty.") : NotAPdf();
        return total;
    }

    private static SlideDeckException NotAPdf() =>
        new("This file is not a PDF. Save or export your slides as PDF and upload that file.");

    /// <summary>The page count from pdfinfo, or null when pdfinfo is not installed.</summary>
    private async Task<int?> CountPagesAsync(string deck, string work, CancellationToken ct)
    {
        ToolResult result;
        try
        {
            result = await RunAsync(PdfinfoCommand, [deck], work, InfoTimeout, ct);
        }
        catch (Win32Exception e)
        {
            log.LogWarning("pdfinfo could not be started ({Problem}); pages are counted after drawing them. Install poppler-utils.", e.Message);
            return null;
        }

        if (result.TimedOut)
            throw Unreadable("reading it took longer than " + Describe(InfoTimeout) + ".");
        if (result.ExitCode != 0)
            throw Unreadable(Explain(result.Errors));
        var match = PagesLine().Match(result.Output);
        if (!match.Success || !int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var pages))
            throw Unreadable("the number of pages could not be found.");
        if (pages == 0)
            throw Unreadable("it has no pages.");
        if (pages > MaxPages)
            throw TooManyPages(pages.ToString(CultureInfo.InvariantCulture));
        return pages;
    }

    /// <summary>Draws the pages as <c>1.png</c>, <c>2.png</c>, ... in <paramref name="pages"/>; returns how many.</summary>
    private async Task<int> DrawPagesAsync(string deck, string pages, int? expected, CancellationToken ct)
    {
        ToolResult result;
        try
        {
            // -l stops a PDF that pdfinfo could not count after one page too many: enough to refuse it.
            result = await RunAsync(PdftoppmCommand,
                ["-png", "-scale-to", PageSize.ToString(CultureInfo.InvariantCulture), "-l", (MaxPages + 1).ToString(CultureInfo.InvariantCulture),
                    deck, Path.Combine(pages, "page")],
                pages, ConversionTimeout, ct);
        }
        catch (Win32Exception e)
        {
            log.LogError(e, "pdftoppm could not be started: install poppler-utils");
            throw new SlideDeckException("The server cannot convert PDFs: install poppler-utils (it provides pdftoppm) on the server.", e);
        }

        if (result.TimedOut)
            throw Unreadable($"drawing its pages took longer than {Describe(ConversionTimeout)}. Try a smaller file, with fewer or simpler pages.");

        var drawn = new SortedDictionary<int, string>();
        foreach (var path in Directory.EnumerateFiles(pages, "page-*.png"))
        {
            var match = PageFile().Match(Path.GetFileName(path));
            if (match.Success && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                drawn[number] = path;
        }

        if (result.ExitCode != 0 || drawn.Count == 0)
            throw Unreadable(result.ExitCode != 0 ? Explain(result.Errors) : "no page could be drawn.");
        if (drawn.Count > MaxPages)
            throw TooManyPages("more than " + MaxPages.ToString(CultureInfo.InvariantCulture));
        if (drawn.Keys.First() != 1 || drawn.Keys.Last() != drawn.Count || (expected is { } count && count != drawn.Count))
            throw Unreadable("some pages could not be drawn.");

        foreach (var (number, path) in drawn)
            File.Move(path, Path.Combine(pages, PageName(number)));
        return drawn.Count;
    }

    /// <summary>
    /// Puts the new pages and PDF in place. The slides folder is swapped with two renames on the same disk, under the
    /// swap lock; <see cref="RestoreInterruptedSwap"/> puts the old folder back if the process died between them.
    /// </summary>
    private void Swap(int sessionId, string pages, string deck)
    {
        var sessionFolder = SessionFolder(sessionId);
        var slides = SlidesFolder(sessionId);
        var old = Path.Combine(sessionFolder, $".old-{Guid.NewGuid():N}");
        lock (_swaps[Stripe(sessionId)])
        {
            if (!Directory.Exists(pages))
                throw new SlideDeckException("The deck was removed while the PDF was being converted.");
            if (Directory.Exists(slides))
                Directory.Move(slides, old);
            try
            {
                Directory.Move(pages, slides);
            }
            catch (Exception) when (Directory.Exists(old) && !Directory.Exists(slides))
            {
                Directory.Move(old, slides);
                throw;
            }

            File.Move(deck, Path.Combine(sessionFolder, "deck.pdf"), overwrite: true);
        }

        TryDelete(old);
    }

    /// <summary>Called with the swap lock held: a slides folder moved aside but not replaced goes back.</summary>
    private void RestoreInterruptedSwap(int sessionId)
    {
        var sessionFolder = SessionFolder(sessionId);
        var slides = SlidesFolder(sessionId);
        if (Directory.Exists(slides) || !Directory.Exists(sessionFolder))
            return;
        var moved = Directory.EnumerateDirectories(sessionFolder, ".old-*").Select(d => new DirectoryInfo(d))
            .OrderByDescending(d => d.LastWriteTimeUtc).FirstOrDefault();
        if (moved is null)
            return;
        moved.MoveTo(slides);
        log.LogWarning("Session {SessionId}: restored the PDF deck's pages after an interrupted replacement", sessionId);
    }

    /// <summary>Called with the upload lock held, so no other upload of the session is running: clears what a crash left.</summary>
    private void RemoveLeftovers(int sessionId)
    {
        var sessionFolder = SessionFolder(sessionId);
        if (!Directory.Exists(sessionFolder))
            return;
        lock (_swaps[Stripe(sessionId)])
        {
            RestoreInterruptedSwap(sessionId);
            foreach (var leftover in Directory.EnumerateDirectories(sessionFolder, ".upload-*").Concat(Directory.EnumerateDirectories(sessionFolder, ".old-*")))
                TryDelete(leftover);
        }
    }

    private void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next upload of the session to clear (RemoveLeftovers).
            log.LogWarning("Could not delete {Directory}: {Problem}", directory, e.Message);
        }
    }

    private static SlideDeckException Unreadable(string reason) => new($"This PDF could not be read: {reason}");

    private static SlideDeckException TooManyPages(string pages) =>
        new($"This PDF has {pages} pages; a deck can have at most {MaxPages}. Split it into several decks.");

    /// <summary>poppler's own words, shortened and made plain: the first line that says what is wrong.</summary>
    private static string Explain(string errors)
    {
        if (errors.Contains("password", StringComparison.OrdinalIgnoreCase))
            return "it is protected by a password. Save a copy without a password and upload that.";
        var line = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase))
            ?? errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (line is null)
            return "the file is damaged.";
        line = ErrorPrefix().Replace(line, "");
        if (line.Length > 200)
            line = line[..200] + "...";
        return $"the file is damaged ({line.TrimEnd('.')}).";
    }

    private static string Describe(TimeSpan timeout) =>
        timeout.TotalMinutes >= 1
            ? $"{timeout.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minute{(timeout.TotalMinutes == 1 ? "" : "s")}"
            : $"{timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} second{(timeout.TotalSeconds == 1 ? "" : "s")}";

    private sealed record ToolResult(int ExitCode, string Output, string Errors, bool TimedOut);

    /// <summary>Runs a program without a shell; kills it, with its children, when it outlives <paramref name="timeout"/>.</summary>
    /// <exception cref="Win32Exception">The program does not exist or cannot be started.</exception>
    private static async Task<ToolResult> RunAsync(string command, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);

        using var process = new Process { StartInfo = start };
        process.Start();
        var output = ReadCappedAsync(process.StandardOutput);
        var errors = ReadCappedAsync(process.StandardError);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own in the meantime.
            }

            await process.WaitForExitAsync(CancellationToken.None);
            ct.ThrowIfCancellationRequested();
            timedOut = true;
        }

        return new ToolResult(timedOut ? -1 : process.ExitCode, await output, await errors, timedOut);
    }

    /// <summary>Reads a stream to its end, keeping the first <see cref="MaxErrorOutput"/> characters: a damaged PDF can make poppler very talkative.</summary>
    private static async Task<string> ReadCappedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            if (kept.Length < MaxErrorOutput)
                kept.Append(buffer, 0, Math.Min(read, MaxErrorOutput - kept.Length));
        }

        return kept.ToString();
    }

    [GeneratedRegex(@"^Pages:\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PagesLine();

    [GeneratedRegex(@"^page-(\d+)\.png$")]
    private static partial Regex PageFile();

    [GeneratedRegex(@"^(Syntax |Command Line |Internal |I/O )?(Error|Warning)(\s*\(\d+\))?:\s*", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorPrefix();
}
