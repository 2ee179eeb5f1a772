using System.Security.Claims;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Cistrat.Learning.Web.Features.Admin;

/// <summary>Admins give people their roles: who may lecture, coordinate or administer.</summary>
[Authorize(Policy = Policies.Admin)]
public class UsersModel(LearningDbContext db, UserManager<ApplicationUser> users, IStringLocalizer<SharedResource> localizer) : PageModel
{
    private const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    public IReadOnlyList<UserRow> Users { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(Query))
        {
            var q = Query.Trim();
            query = query.Where(u => u.FullName.Contains(q) || u.Email!.Contains(q));
        }

        var page = await query.OrderBy(u => u.Email).Take(PageSize).Select(u => new { u.Id, u.FullName, u.Email, u.Country }).ToListAsync(ct);
        var ids = page.Select(u => u.Id).ToList();
        var roles = await db.UserRoles.Where(ur => ids.Contains(ur.UserId))
            .Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .ToListAsync(ct);
        Users = page.Select(u => new UserRow(u.Id, u.FullName, u.Email ?? "", u.Country,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name!).ToHashSet())).ToList();
    }

    public async Task<IActionResult> OnPostRolesAsync(string userId, string[] roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (await users.FindByIdAsync(userId) is not { } user)
            return NotFound();
        var wanted = roles.Where(Roles.All.Contains).ToHashSet();
        if (user.Id == User.FindFirstValue(ClaimTypes.NameIdentifier) && !wanted.Contains(Roles.Admin))
        {
            TempData["Error"] = localizer["You cannot remove your own Admin role."].Value;
            return RedirectToPage(new { q = Query });
        }

        var current = await users.GetRolesAsync(user);
        await users.RemoveFromRolesAsync(user, current.Except(wanted));
        await users.AddToRolesAsync(user, wanted.Except(current));
        // Roles travel in the sign-in cookie: the person's next request re-validates it.
        await users.UpdateSecurityStampAsync(user);
        TempData["Message"] = localizer["Roles of {0} saved.", user.Email ?? user.Id].Value;
        return RedirectToPage(new { q = Query });
    }

    public sealed record UserRow(string Id, string FullName, string Email, string? Country, IReadOnlySet<string> Roles);
}
