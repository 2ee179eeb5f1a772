using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Cistrat.Learning.Web.Infrastructure.Rendering;

/// <summary>
/// Pages served from templates: the first request for a page in a given form (its variant, the language, what the
/// navigation offers the person's roles) renders the Razor page as usual, with markers in its holes
/// (<see cref="PageHoles"/>), and keeps it as a <see cref="PageTemplate"/>; later requests fill the holes and write
/// the page, compressed, without running the view or a compressor. Requests carrying a one-time message
/// (TempData) are rendered as usual. The setting <c>Learning:PageTemplates</c> (on by default) turns this off.
/// </summary>
/// <remarks>
/// Templates belong to an owner object (a lesson of the current catalogue): a content import makes new owners, and
/// the old templates go with the old objects.
/// </remarks>
public sealed class PageTemplates(
    IAntiforgery antiforgery, HtmlEncoder encoder, IOptions<LearningOptions> options, IOptions<CookieTempDataProviderOptions> tempData)
{
    private const string HtmlContentType = "text/html; charset=utf-8";

    private readonly ConditionalWeakTable<object, ConcurrentDictionary<TemplateKey, PageTemplate>> _templates = [];
    private readonly IAntiforgery _antiforgery = antiforgery;
    private readonly HtmlEncoder _encoder = encoder;
    private readonly string _tempDataCookie = tempData.Value.Cookie.Name!;

    /// <summary>
    /// The result of a page handler: <paramref name="page"/> written from its template for <paramref name="owner"/>
    /// and <paramref name="variant"/> (everything the page shows that is not in a hole must be the same for every
    /// request with these two, the language and the person's roles), with <paramref name="holes"/> (unencoded text)
    /// as the values of its holes from <see cref="PageHoles.FirstOfPage"/> on.
    /// </summary>
    public IActionResult Page(PageModel page, object owner, string variant, params string[] holes)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(holes);
        // One-time messages travel in a cookie: without it there are none, and TempData need not be read (reading it
        // would also make MVC send a header deleting that absent cookie).
        if (!options.Value.PageTemplates || page.Request.Cookies.ContainsKey(_tempDataCookie))
            return page.Page();
        return new TemplatedPageResult(this, owner, new TemplateKey(variant, CultureInfo.CurrentUICulture.Name, Navigation(page.User)), holes);
    }

    /// <summary>What the layout's navigation depends on: signed in, staff, admin.</summary>
    private static int Navigation(System.Security.Claims.ClaimsPrincipal user) =>
        (user.Identity?.IsAuthenticated == true ? 1 : 0)
        | (user.IsInRole(Roles.Lecturer) || user.IsInRole(Roles.Coordinator) || user.IsInRole(Roles.Admin) ? 2 : 0)
        | (user.IsInRole(Roles.Admin) ? 4 : 0);

    private readonly record struct TemplateKey(string Variant, string Culture, int Navigation);

    /// <summary>A page result (so the page invoker gives it the page and its view data) that renders only to record.</summary>
    private sealed class TemplatedPageResult(PageTemplates templates, object owner, TemplateKey key, string[] holes) : PageResult
    {
        public override async Task ExecuteResultAsync(ActionContext context)
        {
            var http = context.HttpContext;
            // Also what the forms' hidden fields would have done: the cookie token and the no-cache headers.
            var token = templates._antiforgery.GetAndStoreTokens(http).RequestToken
                ?? throw new InvalidOperationException("The antiforgery service gave no request token.");
            var forOwner = templates._templates.GetOrCreateValue(owner);
            if (!forOwner.TryGetValue(key, out var template))
            {
                template = await RecordAsync(context, token);
                forOwner.TryAdd(key, template);
            }

            var values = new byte[PageHoles.FirstOfPage + holes.Length][];
            values[PageHoles.Antiforgery] = Encoding.UTF8.GetBytes(token);
            values[PageHoles.ReturnUrl] = Encoding.UTF8.GetBytes(templates._encoder.Encode(http.Request.Path + http.Request.QueryString));
            for (var i = 0; i < holes.Length; i++)
                values[PageHoles.FirstOfPage + i] = Encoding.UTF8.GetBytes(templates._encoder.Encode(holes[i]));

            var gzip = AcceptsGzip(http.Request);
            var length = template.Length(values, gzip);
            var response = http.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = HtmlContentType;
            response.ContentLength = length;
            response.Headers.Vary = HeaderNames.AcceptEncoding;
            if (gzip)
                response.Headers.ContentEncoding = "gzip";
            var body = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                template.Render(values, gzip, body);
                await response.Body.WriteAsync(body.AsMemory(0, length), http.RequestAborted);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }

        /// <summary>Renders the page into memory with markers in its holes, and cuts it there.</summary>
        private async Task<PageTemplate> RecordAsync(ActionContext context, string token)
        {
            var http = context.HttpContext;
            var body = http.Features.Get<IHttpResponseBodyFeature>()!;
            using var captured = new MemoryStream();
            using (PageHoles.Record(http))
            {
                http.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(captured));
                try
                {
                    await base.ExecuteResultAsync(context);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
                finally
                {
                    http.Features.Set(body);
                }
            }

            var html = Encoding.UTF8.GetString(captured.GetBuffer(), 0, (int)captured.Length)
                .Replace(token, PageHoles.Marker(PageHoles.Antiforgery), StringComparison.Ordinal);
            return PageTemplate.Parse(html, PageHoles.FirstOfPage + holes.Length, PageHoles.Marker);
        }

        /// <summary>Whether gzip is acceptable (RFC 9110 12.5.3): named with a non-zero weight, or not named and "*" allowed.</summary>
        private static bool AcceptsGzip(HttpRequest request)
        {
            if (!StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var encodings))
                return false;
            var named = encodings.FirstOrDefault(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase));
            var any = encodings.FirstOrDefault(e => e.Value.Equals("*", StringComparison.Ordinal));
            return named is not null ? named.Quality is not 0 : any is not null && any.Quality is not 0;
        }
    }
}
