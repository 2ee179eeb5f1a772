using System.Security.Cryptography;

namespace Cistrat.Learning.Web.Infrastructure.Rendering;

/// <summary>
/// The places in a page whose text differs from one request to the next, for pages written from a
/// <see cref="PageTemplate"/>. A view writes such a value through <see cref="Text"/>: the value itself on an
/// ordinary render, a marker while the page is being recorded as a template.
/// </summary>
/// <remarks>
/// The layout is shared by such pages, so anything it shows that depends on the person (beyond their roles, which
/// select the template) must go through a hole, or it would be shown to the next person who opens the page.
/// </remarks>
public sealed class PageHoles
{
    /// <summary>The request's antiforgery token: recorded from the page's forms, never written by a view.</summary>
    public const int Antiforgery = 0;

    /// <summary>The address of the page being shown, with its query (the language form returns there).</summary>
    public const int ReturnUrl = 1;

    /// <summary>The first hole a page may define for itself.</summary>
    public const int FirstOfPage = 2;

    /// <summary>Random per process, so no text a course author writes is ever taken for a marker.</summary>
    private static readonly string Prefix = "tpl" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + "h";

    private PageHoles()
    {
    }

    /// <summary>Marks the request as recording a template until the result is disposed.</summary>
    internal static IDisposable Record(HttpContext context)
    {
        context.Features.Set(new PageHoles());
        return new Recording(context);
    }

    /// <summary>The marker that stands for hole <paramref name="hole"/> in a recorded page.</summary>
    public static string Marker(int hole) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Prefix}{hole:D2}h");

    /// <summary><paramref name="value"/>, or the marker of <paramref name="hole"/> while the page is recorded as a template.</summary>
    public static string Text(HttpContext context, int hole, string value)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<PageHoles>() is null ? value : Marker(hole);
    }

    private sealed class Recording(HttpContext context) : IDisposable
    {
        public void Dispose() => context.Features.Set<PageHoles>(null);
    }
}
