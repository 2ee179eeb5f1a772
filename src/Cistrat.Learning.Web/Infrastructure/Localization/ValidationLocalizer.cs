using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Infrastructure.Localization;

public static class ValidationLocalizer
{
    /// <summary>The shared UI string table, for IValidatableObject messages (MVC does not translate those itself).</summary>
    public static IStringLocalizer Localizer(this ValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetService(typeof(IStringLocalizer<SharedResource>)) as IStringLocalizer
               ?? throw new InvalidOperationException("IStringLocalizer<SharedResource> is not registered.");
    }
}
