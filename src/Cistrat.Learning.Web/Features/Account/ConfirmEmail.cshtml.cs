using Cistrat.Learning.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Cistrat.Learning.Web.Features.Account;

/// <summary>The page a confirmation link opens: marks the address as confirmed when the link's token is right.</summary>
public class ConfirmEmailModel(UserManager<ApplicationUser> users) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? userId, string? code)
    {
        var token = AccountLinks.Decode(code);
        if (string.IsNullOrEmpty(userId) || token is null)
            return BadRequest();
        var user = await users.FindByIdAsync(userId);
        Confirmed = user is not null && (await users.ConfirmEmailAsync(user, token)).Succeeded;
        return Page();
    }
}
