using System.Collections.Concurrent;
using System.Globalization;
using SkiaSharp;
using SkiaSharp.HarfBuzz;

namespace Cistrat.Learning.Web.Features.Certificates.Pdf;

/// <summary>
/// The font files certificates are set in, as fallback chains per style: the first face of a chain that has a glyph
/// for a character sets it. Faces are opened on first use (a CJK collection is tens of megabytes) and then shared.
/// A character no face covers is an error that names it, never a box on the certificate.
/// </summary>
public sealed class CertificateFonts : IDisposable
{
    private readonly Dictionary<(string Family, bool Bold), IReadOnlyList<FontSource>> _chains;
    private readonly ConcurrentDictionary<FontSource, Lazy<FontFace>> _faces = new();

    public CertificateFonts(CertificateFontOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _chains = new()
        {
            [("serif", false)] = Parse(options.Serif ?? [.. CertificateFontOptions.DefaultSerif]),
            [("serif", true)] = Parse(options.SerifBold ?? [.. CertificateFontOptions.DefaultSerifBold]),
            [("sans", false)] = Parse(options.Sans ?? [.. CertificateFontOptions.DefaultSans]),
            [("sans", true)] = Parse(options.SansBold ?? [.. CertificateFontOptions.DefaultSansBold]),
        };
    }

    /// <summary>Configured font files that are not on disk, e.g. to report at start-up.</summary>
    public IReadOnlyList<string> MissingFiles() =>
        _chains.Values.SelectMany(c => c).Select(s => s.Path).Distinct().Where(p => !File.Exists(p)).ToList();

    /// <summary>The face that sets this character in this style: the first of the chain that has it.</summary>
    public FontFace FaceFor(string family, bool bold, int codepoint)
    {
        FontFace? first = null;
        foreach (var source in _chains[(family, bold)])
        {
            // Called for every character of every certificate: a face already opened needs no look at the disk.
            if (!_faces.TryGetValue(source, out var opened))
            {
                if (!File.Exists(source.Path))
                    continue;
                opened = _faces.GetOrAdd(source, s => new Lazy<FontFace>(() => FontFace.Open(s)));
            }

            var face = opened.Value;
            first ??= face;
            if (face.Covers(codepoint))
                return face;
        }

        if (first is null)
            throw new CertificateFontException($"None of the {family}{(bold ? " bold" : "")} certificate fonts is installed ({string.Join(", ", _chains[(family, bold)].Select(s => s.Path))}). Install fonts-noto-core and fonts-noto-cjk, or set Certificates:Fonts.");
        throw new CertificateFontException(
            $"No certificate font has a glyph for '{char.ConvertFromUtf32(codepoint)}' (U+{codepoint.ToString("X4", CultureInfo.InvariantCulture)}); add a font that covers it to Certificates:Fonts.");
    }

    private static List<FontSource> Parse(IEnumerable<string> entries) =>
        entries.Select(e =>
        {
            var hash = e.LastIndexOf('#');
            return hash > 0 && int.TryParse(e[(hash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? new FontSource(e[..hash], index)
                : new FontSource(e, 0);
        }).ToList();

    public void Dispose()
    {
        foreach (var face in _faces.Values.Where(f => f.IsValueCreated))
            face.Value.Dispose();
    }
}

public sealed record FontSource(string Path, int Index);

/// <summary>One opened font: its typeface, its HarfBuzz shaper, and a subsetter when it is a TrueType-outline font.</summary>
public sealed class FontFace : IDisposable
{
    private readonly SKFont _probe;

    private FontFace(FontSource source, SKTypeface typeface, TrueTypeSubsetter? subsetter)
    {
        Source = source;
        Typeface = typeface;
        Shaper = new SKShaper(typeface);
        Subsetter = subsetter;
        _probe = new SKFont(typeface);
    }

    public FontSource Source { get; }
    public SKTypeface Typeface { get; }

    /// <summary>HarfBuzz fonts are immutable once made, so one shaper serves every thread.</summary>
    public SKShaper Shaper { get; }

    /// <summary>Null for CFF fonts and collections, which Skia draws as small Type 3 glyph procedures anyway.</summary>
    public TrueTypeSubsetter? Subsetter { get; }

    public bool Covers(int codepoint) => _probe.ContainsGlyph(codepoint);

    public static FontFace Open(FontSource source)
    {
        var typeface = SKTypeface.FromFile(source.Path, source.Index)
            ?? throw new CertificateFontException($"The font file '{source.Path}' (face {source.Index}) cannot be read as a font.");
        var subsetter = source.Path.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) ? TrueTypeSubsetter.TryCreate(File.ReadAllBytes(source.Path)) : null;
        return new FontFace(source, typeface, subsetter);
    }

    public void Dispose()
    {
        _probe.Dispose();
        Shaper.Dispose();
        Typeface.Dispose();
    }
}

/// <summary>The font files per style (setting <c>Certificates:Fonts</c>); "path#n" picks face n of a collection.</summary>
public sealed class CertificateFontOptions
{
    private const string Noto = "/usr/share/fonts/truetype/noto/";
    private const string NotoCjk = "/usr/share/fonts/opentype/noto/";
    private const string Droid = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf";

    // Debian's fonts-noto-core and fonts-noto-cjk: Latin (with Vietnamese), Greek and Cyrillic; Arabic; Ethiopic
    // (Amharic); Devanagari; then Chinese (face 2 of each collection is Simplified Chinese).
    public static readonly string[] DefaultSerif =
        [Noto + "NotoSerif-Regular.ttf", Noto + "NotoNaskhArabic-Regular.ttf", Noto + "NotoSerifEthiopic-Regular.ttf", Noto + "NotoSerifDevanagari-Regular.ttf", NotoCjk + "NotoSerifCJK-Regular.ttc#2", Droid];

    public static readonly string[] DefaultSerifBold =
        [Noto + "NotoSerif-Bold.ttf", Noto + "NotoNaskhArabic-Bold.ttf", Noto + "NotoSerifEthiopic-Bold.ttf", Noto + "NotoSerifDevanagari-Bold.ttf", NotoCjk + "NotoSerifCJK-Bold.ttc#2", Droid];

    public static readonly string[] DefaultSans =
        [Noto + "NotoSans-Regular.ttf", Noto + "NotoSansArabic-Regular.ttf", Noto + "NotoSansEthiopic-Regular.ttf", Noto + "NotoSansDevanagari-Regular.ttf", NotoCjk + "NotoSansCJK-Regular.ttc#2", Droid];

    public static readonly string[] DefaultSansBold =
        [Noto + "NotoSans-Bold.ttf", Noto + "NotoSansArabic-Bold.ttf", Noto + "NotoSansEthiopic-Bold.ttf", Noto + "NotoSansDevanagari-Bold.ttf", NotoCjk + "NotoSansCJK-Bold.ttc#2", Droid];

    // Null by default: the configuration binder appends to a list that already has items, so the defaults live apart.
    public List<string>? Serif { get; set; }
    public List<string>? SerifBold { get; set; }
    public List<string>? Sans { get; set; }
    public List<string>? SansBold { get; set; }
}

public sealed class CertificateFontException(string message) : Exception(message);
