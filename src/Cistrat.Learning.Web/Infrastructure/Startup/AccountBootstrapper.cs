using System.Security.Cryptography;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cistrat.Learning.Web.Infrastructure.Startup;

/// <summary>Creates the roles and the first admin: from Learning:Admin settings, or the create-admin command.</summary>
public sealed class AccountBootstrapper(
    UserManager<ApplicationUser> users,
    RoleManager<IdentityRole> roles,
    IOptions<LearningOptions> options,
    TimeProvider time,
    ILogger<AccountBootstrapper> logger)
{
    public async Task EnsureRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
        }
    }

    public async Task EnsureConfiguredAdminAsync()
    {
        var admin = options.Value.Admin;
        if (string.IsNullOrWhiteSpace(admin.Email))
            return;
        if (await users.FindByEmailAsync(admin.Email) is { } existing)
        {
            if (!await users.IsInRoleAsync(existing, Roles.Admin))
                await users.AddToRoleAsync(existing, Roles.Admin);
            return;
        }

        if (string.IsNullOrWhiteSpace(admin.Password))
        {
            throw new InvalidOperationException(
                "Learning:Admin:Email is set but Learning:Admin:Password is not: set it in the environment (Learning__Admin__Password) " +
                "or user secrets, or use the create-admin command, which generates a password.");
        }

        await CreateAdminAsync(admin.Email, admin.Password);
        logger.LogInformation("Created the admin account {Email} from configuration", admin.Email);
    }

    /// <summary>The create-admin command: returns the generated password, shown once to the operator.</summary>
    public async Task<string> CreateAdminWithGeneratedPasswordAsync(string email)
    {
        if (await users.FindByEmailAsync(email) is not null)
            throw new InvalidOperationException($"An account with the address {email} exists already; give it the Admin role on /admin/users.");
        var password = GeneratePassword();
        await CreateAdminAsync(email, password);
        return password;
    }

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', 'k').Replace('/', 'm') + "7a";

    private async Task CreateAdminAsync(string email, string password)
    {
        var user = new ApplicationUser
        {
            UserName = email, Email = email, EmailConfirmed = true, FullName = "Administrator", CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
            throw new InvalidOperationException("The admin account could not be created: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        await users.AddToRolesAsync(user, [Roles.Admin, Roles.Coordinator]);
    }
}
