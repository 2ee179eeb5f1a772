using System.Globalization;

namespace Cistrat.Learning.Web.Infrastructure.Localization;

/// <summary>The interface languages. English and French are complete; others fall back to English per string.</summary>
public static class UiCultures
{
    public const string Default = "en";

    public static readonly IReadOnlyList<string> Supported = ["en", "fr", "ar", "pt", "zh"];

    /// <summary>Each language's own name, for the language picker.</summary>
    public static readonly IReadOnlyDictionary<string, string> NativeNames = new Dictionary<string, string>
    {
        ["en"] = "English",
        ["fr"] = "Français",
        ["ar"] = "العربية",
        ["pt"] = "Português",
        ["zh"] = "中文",
    };

    public static bool IsSupported(string? culture) => culture is not null && Supported.Contains(culture);

    public static string Current => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;

    public static bool IsRightToLeft => CultureInfo.CurrentUICulture.TextInfo.IsRightToLeft;

    /// <summary>
    /// The writing direction of text in <paramref name="language"/> (a course's language, which need not be the
    /// reader's): "rtl" or "ltr", or "auto" for a tag .NET does not know.
    /// </summary>
    public static string DirectionOf(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language).TextInfo.IsRightToLeft ? "rtl" : "ltr";
        }
        catch (CultureNotFoundException)
        {
            return "auto";
        }
    }
}
