using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

[Authorize]
public class ProfileModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, AccountLinks links, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public ProfileFields Input { get; set; } = new();

    public string Email { get; private set; } = "";

    public bool EmailConfirmed { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
            return Challenge();
        Email = user.Email ?? "";
        EmailConfirmed = user.EmailConfirmed;
        Input = ProfileFields.From<ProfileFields>(user);
        return Page();
    }

    /// <summary>Sends the confirmation link again (a new link each time; the old ones stop working once one is used).</summary>
    public async Task<IActionResult> OnPostConfirmAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
            return Challenge();
        if (!user.EmailConfirmed)
            await links.SendConfirmationAsync(user);
        TempData["Message"] = localizer["A confirmation link is on its way to {0}.", user.Email ?? ""].Value;
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
            return Challenge();
        Email = user.Email ?? "";
        EmailConfirmed = user.EmailConfirmed;
        if (!ModelState.IsValid)
            return Page();

        Input.ApplyTo(user);
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            ModelState.AddModelError(string.Empty, string.Join(" ", result.Errors.Select(e => e.Description)));
            return Page();
        }

        // The cookie carries name, language and time zone: issue a new one so the change shows at once.
        await signIn.RefreshSignInAsync(user);
        Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(user.PreferredLanguage)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = Request.IsHttps });
        TempData["Message"] = localizer["Your profile was saved."].Value;
        return RedirectToPage();
    }
}
