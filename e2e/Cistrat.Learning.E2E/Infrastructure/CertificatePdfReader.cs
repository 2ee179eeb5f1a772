using System.Diagnostics;
using SkiaSharp;
using ZXing;
using ZXing.Common;

namespace Cistrat.Learning.E2E.Infrastructure;

/// <summary>
/// Reads a certificate PDF as its recipients do, with tools independent of the app: poppler's pdftotext for the words
/// a screen reader or a search finds, and poppler's pdftoppm to print the page, whose QR code ZXing then scans as a
/// phone camera would.
/// </summary>
public static class CertificatePdfReader
{
    public const string PdfToText = "/usr/bin/pdftotext";
    public const string PdfToPpm = "/usr/bin/pdftoppm";

    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The text of every page, in reading order (pdftotext's default).</summary>
    public static async Task<string> TextOfAsync(string pdfPath)
    {
        var (output, _) = await RunAsync(PdfToText, "-enc", "UTF-8", pdfPath, "-");
        return output;
    }

    /// <summary>
    /// Renders the first page at <paramref name="dpi"/> into <paramref name="pngPrefix"/>-1.png and returns what its QR
    /// code says, or fails the test when no QR code can be read off the page.
    /// </summary>
    public static async Task<(string Text, string PngPath)> QrCodeOfAsync(string pdfPath, string pngPrefix, int dpi = 200)
    {
        await RunAsync(PdfToPpm, "-r", dpi.ToString(System.Globalization.CultureInfo.InvariantCulture), "-png", "-f", "1", "-l", "1", pdfPath, pngPrefix);
        // pdftoppm numbers its pages with as many digits as the page count needs: "-1.png" for a one-page document.
        var png = Directory.GetFiles(Path.GetDirectoryName(pngPrefix)!, Path.GetFileName(pngPrefix) + "-*.png").Order(StringComparer.Ordinal).FirstOrDefault();
        Assert.True(png is not null, $"pdftoppm wrote no page image for {pdfPath} (expected {pngPrefix}-1.png).");

        var (luminance, width, height) = LuminanceOf(png);
        var reader = new BarcodeReaderGeneric
        {
            AutoRotate = false,
            Options = new DecodingOptions { PossibleFormats = [BarcodeFormat.QR_CODE], TryHarder = true },
        };
        // The multiple-code reader looks past the first finder-pattern candidates it meets: on a whole page, shapes
        // like the logo's rings lead the single-code reader astray where a phone would frame the code itself.
        var results = reader.DecodeMultiple(new RGBLuminanceSource(luminance, width, height, RGBLuminanceSource.BitmapFormat.Gray8)) ?? [];
        Assert.True(results.Length == 1,
            $"Expected one QR code on the first page of {pdfPath}, rendered at {dpi} dpi to {png} ({width} x {height} px); read {results.Length}: " +
            string.Join(", ", results.Select(r => r.Text)));
        return (results[0].Text, png);
    }

    /// <summary>The page image as one byte of luminance per pixel (ITU-R BT.601 weights, as ZXing's own RGB sources use).</summary>
    private static (byte[] Luminance, int Width, int Height) LuminanceOf(string pngPath)
    {
        using var codec = SKCodec.Create(pngPath);
        Assert.True(codec is not null, $"{pngPath} is not an image SkiaSharp can decode.");
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = SKBitmap.Decode(codec, info);
        var rgba = bitmap.GetPixelSpan();
        var luminance = new byte[info.Width * info.Height];
        for (var i = 0; i < luminance.Length; i++)
        {
            var p = i * 4;
            luminance[i] = (byte)(((rgba[p] * 299) + (rgba[p + 1] * 587) + (rgba[p + 2] * 114)) / 1000);
        }

        return (luminance, info.Width, info.Height);
    }

    private static async Task<(string Output, string Error)> RunAsync(string tool, params string[] arguments)
    {
        if (!File.Exists(tool))
        {
            throw new InvalidOperationException(
                $"The certificate journey reads the PDF with poppler's {Path.GetFileName(tool)}, which is not installed at {tool}: " +
                "run `apt-get install poppler-utils`.");
        }

        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        using var timeout = new CancellationTokenSource(ToolTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(tool)} {string.Join(' ', arguments)} ran longer than {ToolTimeout.TotalSeconds:0} s.");
        }

        var (stdout, stderr) = (await output, await error);
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(tool)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr}");
        return (stdout, stderr);
    }
}
