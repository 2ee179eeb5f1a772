using System.Globalization;
using System.Security.Claims;
using Cistrat.Learning.Web;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Localization;

namespace Microsoft.Extensions.DependencyInjection;

public static class LocalizationRegistration
{
    public static IServiceCollection AddLearningLocalization(this IServiceCollection services)
    {
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            // Read-only cached instances: the middleware hands each request CultureInfo.ReadOnly(supported), which
            // clones a writable culture, and every clone builds its number and date formats through ICU again
            // (about a fifth of a page's CPU, measured).
            var cultures = UiCultures.Supported.Select(CultureInfo.GetCultureInfo).ToList();
            o.DefaultRequestCulture = new RequestCulture(CultureInfo.GetCultureInfo(UiCultures.Default));
            o.SupportedCultures = cultures;
            o.SupportedUICultures = cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            // The language chosen on this device wins, then the profile's preferred language, then the browser's.
            o.RequestCultureProviders =
            [
                new CookieRequestCultureProvider(),
                new CustomRequestCultureProvider(context =>
                {
                    var language = context.User.FindFirstValue(LearningClaims.Language);
                    return Task.FromResult(string.IsNullOrEmpty(language) ? null : new ProviderCultureResult(language));
                }),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }
}
