using System.Threading.RateLimiting;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Infrastructure.Security;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static class SecurityRegistration
{
    /// <summary>Identity with cookie sign-in, lockout, role policies, and a rate limit on sign-in and registration.</summary>
    public static WebApplicationBuilder AddLearningSecurity(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var learning = builder.Configuration.GetSection(LearningOptions.Section).Get<LearningOptions>() ?? new LearningOptions();

        builder.Services.AddIdentity<ApplicationUser, IdentityRole>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 10;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<LearningDbContext>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<LearningClaimsPrincipalFactory>();

        builder.Services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "cistrat.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            // Secure everywhere but a developer's own machine, where the app may run on plain http://localhost.
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            o.ExpireTimeSpan = TimeSpan.FromMinutes(learning.IdleTimeoutMinutes);
            o.SlidingExpiration = true;
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            // Identity's validator builds a UserManager and a SignInManager on every request just to learn that the
            // stamp is not due for another check yet; ask it only once the interval has passed.
            o.Events.OnValidatePrincipal = context =>
            {
                var interval = context.HttpContext.RequestServices.GetRequiredService<IOptions<SecurityStampValidatorOptions>>().Value.ValidationInterval;
                var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                return context.Properties.IssuedUtc is { } issued && now - issued < interval
                    ? Task.CompletedTask
                    : SecurityStampValidator.ValidatePrincipalAsync(context);
            };
        });
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "cistrat.af";
            o.Cookie.SecurePolicy = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        builder.Services.AddSignInCache();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Staff, p => p.RequireRole(Roles.Staff))
            .AddPolicy(Policies.Coordinator, p => p.RequireRole(Roles.Coordinator, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));

        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policies.SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = learning.SignInAttemptsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            o.AddPolicy(Policies.FeedRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 60, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many attempts from this address. Wait a minute, then try again.", ct);
            };
        });
        return builder;
    }

    /// <summary>
    /// Remembers what the sign-in and antiforgery cookies decrypt to (<see cref="SignInCache"/>), by wrapping the
    /// data protection provider: call after data protection is registered.
    /// </summary>
    public static IServiceCollection AddSignInCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHttpContextAccessor();
        services.AddSingleton<SignInCache>();
        var provider = services.LastOrDefault(d => d.ServiceType == typeof(IDataProtectionProvider) && !d.IsKeyedService)
            ?? throw new InvalidOperationException("Data protection must be registered before the sign-in cache.");
        services.Remove(provider);
        services.AddSingleton(sp => SignInCache.Wrap(
            (IDataProtectionProvider)(provider.ImplementationInstance
                ?? provider.ImplementationFactory?.Invoke(sp)
                ?? ActivatorUtilities.CreateInstance(sp, provider.ImplementationType!)),
            sp.GetRequiredService<SignInCache>()));
        return services;
    }
}
