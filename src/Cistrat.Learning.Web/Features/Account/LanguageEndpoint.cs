using Cistrat.Learning.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Localization;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>POST /language: remembers the chosen interface language on this device and goes back.</summary>
public static class LanguageEndpoint
{
    public static IEndpointRouteBuilder MapLanguageSwitch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/language", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            // Every form carries an antiforgery token, this one too, though it only sets a preference.
            if (!await antiforgery.IsRequestValidAsync(context))
                return Results.BadRequest("The form expired. Reload the page and try again.");
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var culture = form["culture"].ToString();
            var returnUrl = form["returnUrl"].ToString();
            if (!UiCultures.IsSupported(culture))
                return Results.BadRequest("Unknown language.");
            context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = context.Request.IsHttps });
            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl : "/");
        });
        return app;
    }

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
