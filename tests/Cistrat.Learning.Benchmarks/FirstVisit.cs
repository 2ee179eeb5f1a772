using System.IO.Compression;
using System.Net;
using System.Text;

namespace Cistrat.Learning.Benchmarks;

/// <summary>
/// What a trainee on a slow link downloads the first time they open a lesson: the page and every stylesheet,
/// script and image it references, with an empty cache and compression as a browser negotiates it.
/// </summary>
internal static class FirstVisit
{
    /// <summary>Course files (lesson images) are served under this path; they are counted apart from the page's own weight.</summary>
    private const string CourseFilesPath = "/course-files/";

    public static async Task<FirstVisitResult> MeasureAsync(Uri baseAddress, string email, string password, string lessonPath, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        // Signing in is not part of the visit: its own client, sharing only the cookie jar.
        using (var signIn = Browser.Create(baseAddress, cookies, maxConnections: 1, acceptEncoding: "", decompress: true))
            await Site.SignInAsync(signIn, cookies, email, password, ct);

        using var browser = Browser.Create(baseAddress, cookies, maxConnections: 6, BenchmarkOptions.BrowserAcceptEncoding);
        var page = await FetchAsync(browser, cookies, new Uri(baseAddress, lessonPath), ResourceKind.Page, "text/html,application/xhtml+xml", ct);
        if (page.Status != HttpStatusCode.OK)
            throw new BenchmarkException($"First visit: GET {lessonPath} answered {(int)page.Status}.");

        var resources = new List<FetchedResource> { page };
        var skipped = new List<string>();
        foreach (var (kind, url) in Referenced(page.Html!, new Uri(baseAddress, lessonPath)).Distinct())
        {
            // Only our own server: a benchmark sends no traffic off this machine.
            if (url.Host != baseAddress.Host || url.Port != baseAddress.Port)
            {
                skipped.Add(url.ToString());
                continue;
            }

            var accept = kind switch
            {
                ResourceKind.Stylesheet => "text/css,*/*;q=0.1",
                ResourceKind.Script => "*/*",
                _ => "image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5",
            };
            resources.Add(await FetchAsync(browser, cookies, url, kind, accept, ct));
        }

        return new FirstVisitResult(lessonPath, resources, skipped);
    }

    private static IEnumerable<(ResourceKind Kind, Uri Url)> Referenced(string html, Uri page)
    {
        foreach (var link in HtmlScan.StartTags(html, "link"))
        {
            var rel = link.GetValueOrDefault("rel") ?? "";
            if (rel.Split(' ').Contains("stylesheet", StringComparer.OrdinalIgnoreCase) && link.GetValueOrDefault("href") is { Length: > 0 } href)
                yield return (ResourceKind.Stylesheet, new Uri(page, href));
        }

        foreach (var script in HtmlScan.StartTags(html, "script"))
        {
            if (script.GetValueOrDefault("src") is { Length: > 0 } src)
                yield return (ResourceKind.Script, new Uri(page, src));
        }

        foreach (var img in HtmlScan.StartTags(html, "img"))
        {
            if (img.GetValueOrDefault("src") is { Length: > 0 } src)
            {
                var url = new Uri(page, src);
                yield return (url.AbsolutePath.StartsWith(CourseFilesPath, StringComparison.Ordinal) ? ResourceKind.LessonImage : ResourceKind.Image, url);
            }
        }
    }

    private static async Task<FetchedResource> FetchAsync(HttpClient client, CookieContainer cookies, Uri url, ResourceKind kind, string accept, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd(accept);
        var requestBytes = RequestHeaderBytes(request, client, cookies.GetCookieHeader(url));
        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var encoding = string.Join(", ", response.Content.Headers.ContentEncoding);
        return new FetchedResource(
            kind,
            url.PathAndQuery,
            response.StatusCode,
            encoding.Length == 0 ? "none" : encoding,
            requestBytes,
            ResponseHeaderBytes(response),
            body.Length,
            kind == ResourceKind.Page ? Decode(body, encoding) : null);
    }

    /// <summary>The request as HTTP/1.1 would serialize it: request line, headers (the client's defaults and the cookies) and the blank line.</summary>
    private static int RequestHeaderBytes(HttpRequestMessage request, HttpClient client, string cookieHeader)
    {
        var text = new StringBuilder($"GET {request.RequestUri!.PathAndQuery} HTTP/1.1\r\nHost: {request.RequestUri.Authority}\r\n");
        var own = request.Headers.NonValidated.Select(h => h.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var header in client.DefaultRequestHeaders.NonValidated.Where(h => !own.Contains(h.Key)).Concat(request.Headers.NonValidated))
            text.Append(header.Key).Append(": ").Append(string.Join(", ", header.Value)).Append("\r\n");
        if (cookieHeader.Length > 0)
            text.Append("Cookie: ").Append(cookieHeader).Append("\r\n");
        return Encoding.ASCII.GetByteCount(text.Append("\r\n").ToString());
    }

    /// <summary>Status line, headers and the blank line; chunked-encoding framing is not counted.</summary>
    private static int ResponseHeaderBytes(HttpResponseMessage response)
    {
        var text = new StringBuilder($"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
        foreach (var header in response.Headers.NonValidated.Concat(response.Content.Headers.NonValidated))
        {
            foreach (var value in header.Value)
                text.Append(header.Key).Append(": ").Append(value).Append("\r\n");
        }

        return Encoding.UTF8.GetByteCount(text.Append("\r\n").ToString());
    }

    private static string Decode(byte[] body, string contentEncoding)
    {
        using var raw = new MemoryStream(body);
        using Stream decoded = contentEncoding switch
        {
            "br" => new BrotliStream(raw, CompressionMode.Decompress),
            "gzip" => new GZipStream(raw, CompressionMode.Decompress),
            "none" or "" => raw,
            _ => throw new BenchmarkException($"First visit: unexpected Content-Encoding '{contentEncoding}'."),
        };
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

internal enum ResourceKind
{
    Page,
    Stylesheet,
    Script,
    Image,
    LessonImage,
}

/// <summary>One response of the first visit. Body bytes are as sent on the wire (compressed when the server compressed).</summary>
internal sealed record FetchedResource(
    ResourceKind Kind,
    string Path,
    HttpStatusCode Status,
    string ContentEncoding,
    int RequestBytes,
    int ResponseHeaderBytes,
    int BodyBytes,
    string? Html)
{
    public int TotalBytes => RequestBytes + ResponseHeaderBytes + BodyBytes;
}

internal sealed record FirstVisitResult(string LessonPath, IReadOnlyList<FetchedResource> Resources, IReadOnlyList<string> SkippedExternal)
{
    /// <summary>Everything but lesson images, both directions: the figure the target is about.</summary>
    public long PageWeightBytes => Resources.Where(r => r.Kind != ResourceKind.LessonImage).Sum(r => (long)r.TotalBytes);

    public long DownloadedBytes => Resources.Where(r => r.Kind != ResourceKind.LessonImage).Sum(r => (long)r.ResponseHeaderBytes + r.BodyBytes);

    public long LessonImageBytes => Resources.Where(r => r.Kind == ResourceKind.LessonImage).Sum(r => (long)r.TotalBytes);

    public int LessonImageCount => Resources.Count(r => r.Kind == ResourceKind.LessonImage);
}
