using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Account;

[Authorize]
public class ProfileModel(UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public ProfileFields Input { get; set; } = new();

    public string Email { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
            return Challenge();
        Email = user.Email ?? "";
        Input = ProfileFields.From<ProfileFields>(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.GetUserAsync(User) is not { } user)
            return Challenge();
        Email = user.Email ?? "";
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
