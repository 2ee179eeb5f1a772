using System.Net;

namespace Cistrat.Learning.Benchmarks;

/// <summary>HTTP clients that ask for pages the way a browser does, sharing one cookie jar per person.</summary>
internal static class Browser
{
    public static HttpClient Create(Uri baseAddress, CookieContainer cookies, int maxConnections, string acceptEncoding, bool decompress = false)
    {
        var handler = new SocketsHttpHandler
        {
            CookieContainer = cookies,
            UseCookies = true,
            // One connection per closed-loop client, kept for the whole run, as a browser keeps its own.
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            // A redirect is an answer to check (a redirect to the sign-in page means the cookie was lost), not to follow.
            AllowAutoRedirect = false,
            UseProxy = false,
            // Under load the bytes are read, not decompressed: inflating is the browser's cost, not the server's.
            AutomaticDecompression = decompress ? DecompressionMethods.All : DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        if (!decompress)
            client.DefaultRequestHeaders.AcceptEncoding.ParseAdd(acceptEncoding);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("Cistrat.Learning.Benchmarks/1.0");
        return client;
    }
}
