using System.Security.Claims;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Security;

/// <summary>Adds the profile facts every page needs (name, language, time zone) to the sign-in cookie.</summary>
public sealed class LearningClaimsPrincipalFactory(
    UserManager<ApplicationUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(LearningClaims.FullName, user.FullName));
        identity.AddClaim(new Claim(LearningClaims.Language, user.PreferredLanguage));
        identity.AddClaim(new Claim(LearningClaims.TimeZone, user.TimeZoneId));
        return identity;
    }
}
