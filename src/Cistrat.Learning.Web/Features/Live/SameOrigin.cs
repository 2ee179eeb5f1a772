namespace Cistrat.Learning.Web.Features.Live;

/// <summary>Cross-site WebSocket hijacking guard: a request that names an origin must name this site.</summary>
public static class SameOrigin
{
    public static bool Allows(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin))
            return true; // not a browser (the .NET client, curl): the cookie was given on purpose
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase);
    }
}
