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
            var cultures = UiCultures.Supported.Select(c => new CultureInfo(c)).ToList();
            o.DefaultRequestCulture = new RequestCulture(UiCultures.Default);
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
