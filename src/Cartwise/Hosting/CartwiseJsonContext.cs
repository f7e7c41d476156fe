using System.Text.Json;
using System.Text.Json.Serialization;
using Cartwise.Tracking;
using Microsoft.AspNetCore.Mvc;

namespace Cartwise.Hosting;

/// <summary>Source-generated JSON for the hot paths (tracking answers and problems); other types fall back to reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(TrackResponse))]
[JsonSerializable(typeof(MpValidation))]
[JsonSerializable(typeof(Recommendations.RecommendationResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(Readiness))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class CartwiseJsonContext : JsonSerializerContext;
