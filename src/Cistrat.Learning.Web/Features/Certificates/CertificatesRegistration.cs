using System.Security.Claims;
using System.Text.Json;
using System.Threading.RateLimiting;
using Cistrat.Learning.Core.Certificates;
using Cistrat.Learning.Core.Data;
using Cistrat.Learning.Core.Identity;
using Cistrat.Learning.Web.Features.Certificates;
using Cistrat.Learning.Web.Features.Certificates.Pdf;
using Cistrat.Learning.Web.Features.Cohorts;
using Cistrat.Learning.Web.Features.Notifications;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class CertificatesRegistration
{
    public const string VerifyRateLimit = "verify";
    private const string StatusListCacheKey = "certificates:status-list";
    private static readonly string[] ProfileType = ["Profile"];

    public static WebApplicationBuilder AddCertificates(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<CertificateOptions>().BindConfiguration(CertificateOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var certificates = sp.GetRequiredService<IOptions<CertificateOptions>>().Value;
            var site = sp.GetRequiredService<IOptions<MailOptions>>().Value.SiteUrl;
            return new CredentialIssuer(new Uri(site.TrimEnd('/') + "/"), certificates.CentreName, certificates.IssuerEmail);
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<CertificateOptions>>().Value;
            return string.IsNullOrWhiteSpace(options.SigningKey)
                ? CredentialKeyRing.LoadOrCreate(sp.GetRequiredService<DataFolder>().PathOf(options.SigningKeyPath))
                : new CredentialKeyRing(CredentialKeyRing.FromPem(options.SigningKey, "Certificates:SigningKey"),
                    (options.RetiredKeys ?? []).Select((pem, i) => CredentialKeyRing.FromPem(pem, $"Certificates:RetiredKeys:{i}")));
        });
        services.AddSingleton(sp => new CertificateFonts(sp.GetRequiredService<IOptions<CertificateOptions>>().Value.Fonts));
        services.AddSingleton<CertificatePdfRenderer>();
        services.AddSingleton<CertificateDocuments>();
        services.AddSingleton<CredentialSigner>();
        services.AddScoped<CertificateService>();
        services.AddScoped<CertificateIssuer>();
        services.AddScoped<CertificateVerifier>();
        services.AddScoped<CertificateBatchJob>();
        services.AddScoped<CertificateJob>();
        services.AddScoped<CertificateSweepJob>();
        services.Configure<RateLimiterOptions>(o => o.AddPolicy(VerifyRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = context.RequestServices.GetRequiredService<IOptions<CertificateOptions>>().Value.VerifyRequestsPerMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })));
        return builder;
    }

    /// <summary>The public keys, the revocation list, the issuer profile, and the holder's downloads.</summary>
    public static WebApplication MapCertificates(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // A signing key that cannot be read stops start-up with the reason; on first run this creates it.
        app.Services.GetRequiredService<CredentialKeyRing>();
        ReportProblems(app);

        app.MapGet("/.well-known/jwks.json", (CredentialKeyRing keys, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=3600";
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Text(keys.Jwks().ToJsonString(), "application/jwk-set+json");
        });

        app.MapGet("/issuer", (CredentialIssuer issuer, HttpContext http) =>
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Json(new Dictionary<string, object>
            {
                ["@context"] = new[] { OpenBadgeCredential.VcContext, OpenBadgeCredential.ObContext },
                ["id"] = issuer.Id, ["type"] = ProfileType, ["name"] = issuer.Name, ["url"] = issuer.Site.ToString(),
            }, contentType: "application/ld+json");
        });

        // The revocation list is signed like the credentials; relying parties cache it for a minute.
        app.MapGet("/credentials/status/revocation", async (LearningDbContext db, CredentialKeyRing keys, CredentialIssuer issuer, IMemoryCache cache, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var jwt = await cache.GetOrCreateAsync(StatusListCacheKey, async entry =>
            {
                entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(30);
                var revoked = await db.Certificates.AsNoTracking()
                    .Where(c => c.Status != CertificateStatus.Valid).Select(c => c.StatusListIndex).ToListAsync(ct);
                return VcJwt.Sign(StatusList.Credential(issuer, StatusList.Encode(revoked), time.GetUtcNow()), keys.Signing);
            });
            http.Response.Headers.CacheControl = "public, max-age=30";
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Text(jwt!, "application/vc+jwt");
        });

        // The template's images, for the HTML view of certificates (public: the verification page shows it too).
        app.MapGet("/certificates/template/{kind}/{file}", (string kind, string file, CertificateDocuments documents, HttpContext http) =>
        {
            if (!Enum.TryParse<CertificateKind>(kind, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Results.NotFound();
            var template = documents.TemplateFor(parsed);
            var used = template.Elements.Where(e => e.Type == "image").Select(e => e.Src).Concat(template.Signatories.Select(s => s.Image));
            // Only files the template names, never a path into the rest of the disk.
            if (!used.Any(src => src is not null && Path.GetFileName(src) == file && src == file))
                return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=3600";
            var path = template.ImagePath(file);
            return Results.File(path, file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg");
        });

        var downloads = app.MapGroup("/certificates").RequireAuthorization();
        downloads.MapGet("/{serial}/pdf", async (string serial, LearningDbContext db, CohortAccess access, CertificateIssuer issuer, ClaimsPrincipal user, CancellationToken ct) =>
        {
            if (await FindForAsync(serial, db, access, user, ct) is not { } certificate)
                return Results.NotFound();
            var pdf = await issuer.EnsureFileAsync(certificate, ct);
            return Results.File(pdf, "application/pdf", $"certificate-{certificate.Serial}.pdf");
        });
        downloads.MapGet("/{serial}/credential", async (string serial, LearningDbContext db, CohortAccess access, ClaimsPrincipal user, CancellationToken ct) =>
            await FindForAsync(serial, db, access, user, ct) is { } certificate
                ? Results.File(System.Text.Encoding.ASCII.GetBytes(certificate.CredentialJwt), "application/vc+jwt", $"credential-{certificate.Serial}.jwt")
                : Results.NotFound());
        return app;
    }

    /// <summary>Forget the cached revocation list (after a revocation or a re-issue), so the next fetch shows it.</summary>
    public static void StatusListChanged(IMemoryCache cache)
    {
        ArgumentNullException.ThrowIfNull(cache);
        cache.Remove(StatusListCacheKey);
    }

    /// <summary>Holders get their own valid certificates; the cohort's coordinators and admins get any of the cohort's.</summary>
    private static async Task<Certificate?> FindForAsync(string serial, LearningDbContext db, CohortAccess access, ClaimsPrincipal user, CancellationToken ct)
    {
        if (CertificateSerial.Normalize(serial) is not { } canonical)
            return null;
        var certificate = await db.Certificates.AsNoTracking().SingleOrDefaultAsync(c => c.Serial == canonical, ct);
        if (certificate is null)
            return null;
        if ((await access.ForAsync(user, certificate.CohortId, ct)).CanManage)
            return certificate;
        // A revoked or replaced certificate stays on record for the coordinators, but its holder no longer gets it.
        return certificate.UserId == user.FindFirstValue(ClaimTypes.NameIdentifier) && certificate.Status == CertificateStatus.Valid ? certificate : null;
    }

    private static void ReportProblems(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CertificatesRegistration).FullName!);
        var missing = app.Services.GetRequiredService<CertificateFonts>().MissingFiles();
        if (missing.Count > 0)
            LogMissingFonts(logger, string.Join(", ", missing));
        foreach (var problem in app.Services.GetRequiredService<CertificateDocuments>().TemplateProblems())
            LogBrokenTemplate(logger, problem);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Certificate fonts missing (install fonts-noto-core and fonts-noto-cjk, or set Certificates:Fonts): {Files}")]
    private static partial void LogMissingFonts(ILogger logger, string files);

    [LoggerMessage(Level = LogLevel.Error, Message = "Certificate template unusable: {Problem}")]
    private static partial void LogBrokenTemplate(ILogger logger, string problem);
}
