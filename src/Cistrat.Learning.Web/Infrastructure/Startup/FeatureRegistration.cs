using Cistrat.Learning.Core.Cohorts;
using Cistrat.Learning.Core.Completion;
using Cistrat.Learning.Core.Quizzes;
using Cistrat.Learning.Core.Content;
using Cistrat.Learning.Web;
using Cistrat.Learning.Web.Features.Catalogue;
using Cistrat.Learning.Web.Features.Cohorts;
using Cistrat.Learning.Web.Features.Learning;
using Cistrat.Learning.Web.Infrastructure.Rendering;
using Cistrat.Learning.Web.Infrastructure.Startup;
using Cistrat.Learning.Web.Infrastructure.Storage;
using Cistrat.Learning.Web.Infrastructure.Time;
using Microsoft.AspNetCore.ResponseCompression;

namespace Microsoft.Extensions.DependencyInjection;

public static class FeatureRegistration
{
    /// <summary>Razor Pages from Features/, and the services of the catalogue, learning and cohort features.</summary>
    public static IServiceCollection AddLearningFeatures(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
            {
                o.RootDirectory = "/Features";
                o.Conventions.AddPageRoute("/Cohorts/Edit", "/cohorts/new");
                o.Conventions.AddPageRoute("/Live/Edit", "/cohorts/{cohortId:int}/sessions/new");
            })
            .AddDataAnnotationsLocalization(o => o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));
        // Show every problem of a form at once, including the cross-field ones, instead of in two rounds.
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.ValidateComplexTypesIfChildValidationFails = true);
        services.AddHttpContextAccessor();
        services.AddMemoryCache();
        services.AddSingleton<CourseCatalog>();
        services.AddScoped<UserClock>();
        services.AddScoped<EnrolmentService>();
        services.AddScoped<CompletionService>();
        services.AddScoped<QuizAttemptService>();
        services.AddScoped<CohortAccess>();
        services.AddScoped<LessonProgressRecorder>();
        services.AddSingleton<ProgressCache>();
        services.AddSingleton<PageTemplates>();
        services.AddScoped<ContentImporter>();
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<DemoSeeder>();
        services.AddScoped<AccountBootstrapper>();

        // Trainees on slow links: compress pages too. Antiforgery tokens are masked anew on every response,
        // which keeps compression of HTTPS pages safe from BREACH-style guessing.
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        return services;
    }
}
