using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace MailAuth.ModuleBuilder
{
    /// <summary>One parameter as help shows it: the cmdlet's metadata with the page's description.</summary>
    internal sealed class MamlParameter
    {
        public string Name { get; init; } = string.Empty;

        public Type Type { get; init; } = typeof(object);

        public bool Required { get; init; }

        /// <summary>"0", "1", … or "named".</summary>
        public string Position { get; init; } = "named";

        /// <summary>PlatyPS wording: "False", "True (ByValue)", "True (ByPropertyName)", "True (ByValue, ByPropertyName)".</summary>
        public string PipelineInput { get; init; } = "False";

        public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();

        /// <summary>Enum names or ValidateSet values, shown as {A | B}.</summary>
        public IReadOnlyList<string> ValidValues { get; init; } = Array.Empty<string>();

        public bool Globbing { get; init; }

        public string DefaultValue { get; init; } = "None";

        public IReadOnlyList<string> Description { get; init; } = Array.Empty<string>();

        public bool IsSwitch => Type == typeof(SwitchParameter);

        public bool IsArray => Type.IsArray;

        /// <summary>The type name help shows: String, String[], Int32, SpfIdentity.</summary>
        public string TypeName => Type.IsArray ? Type.GetElementType()!.Name + "[]" : Type.Name;
    }

    /// <summary>One cmdlet's help: its page's text over the metadata of the cmdlet as built.</summary>
    internal sealed class MamlCommand
    {
        // -WhatIf and -Confirm are risk-mitigation parameters: help describes them, in PowerShell's own words.
        private static readonly Dictionary<string, string> s_riskParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
            ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
        };

        private static readonly HashSet<string> s_common = new HashSet<string>(
            Cmdlet.CommonParameters.Concat(Cmdlet.OptionalCommonParameters), StringComparer.OrdinalIgnoreCase);

        public MamlCommand(CmdletInfo cmdlet, HelpPage page)
        {
            Name = cmdlet.Name;
            Verb = cmdlet.Verb;
            Noun = cmdlet.Noun;
            Page = page;
            object? defaults = TryCreate(cmdlet.ImplementingType);
            IReadOnlyDictionary<string, HelpBlock> documented = page.Parameters;

            var parameters = new List<MamlParameter>();
            foreach (ParameterMetadata metadata in cmdlet.Parameters.Values)
            {
                bool risk = s_riskParameters.ContainsKey(metadata.Name);
                if (s_common.Contains(metadata.Name) && !risk || IsHidden(metadata))
                {
                    // Common parameters are PowerShell's to describe; DontShow ones are not for users.
                    continue;
                }

                IReadOnlyList<string> description;
                if (documented.TryGetValue(metadata.Name, out HelpBlock? block) && block.Paragraphs.Count > 0)
                {
                    description = block.Paragraphs;
                }
                else if (risk)
                {
                    description = new[] { s_riskParameters[metadata.Name] };
                }
                else
                {
                    description = Array.Empty<string>();
                    Problems.Add($"{Name}: parameter -{metadata.Name} is not described under '## PARAMETERS' ('### -{metadata.Name}').");
                }

                parameters.Add(ToParameter(metadata, description, defaults, cmdlet.ImplementingType));
            }

            foreach (string name in documented.Keys)
            {
                if (!cmdlet.Parameters.ContainsKey(name))
                {
                    Problems.Add($"{Name}: '### -{name}' documents a parameter the cmdlet does not have.");
                }
            }

            if (string.IsNullOrWhiteSpace(page.Synopsis))
            {
                Problems.Add($"{Name}: no '## SYNOPSIS'.");
            }

            if (page.Examples.Count == 0 || page.Examples.Any(e => string.IsNullOrWhiteSpace(e.Code)))
            {
                Problems.Add($"{Name}: every cmdlet needs examples, each with a code block.");
            }

            Parameters = parameters;

            // One syntax line per parameter set, positional parameters first, as Get-Command -Syntax orders them.
            foreach (CommandParameterSetInfo set in cmdlet.ParameterSets)
            {
                var names = set.Parameters
                    .Where(p => (!s_common.Contains(p.Name) || s_riskParameters.ContainsKey(p.Name)) && parameters.Any(q => q.Name == p.Name))
                    .OrderBy(p => p.Position < 0 ? int.MaxValue : p.Position)
                    .Select(p => new SyntaxParameter(parameters.First(q => q.Name == p.Name), p.IsMandatory,
                        p.Position < 0 ? "named" : p.Position.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .ToList();
                Syntax.Add(names);
            }
        }

        public string Name { get; }

        public string Verb { get; }

        public string Noun { get; }

        public HelpPage Page { get; }

        public IReadOnlyList<MamlParameter> Parameters { get; }

        public List<List<SyntaxParameter>> Syntax { get; } = new List<List<SyntaxParameter>>();

        /// <summary>Where the page and the cmdlet disagree.</summary>
        public List<string> Problems { get; } = new List<string>();

        private static bool IsHidden(ParameterMetadata metadata) =>
            metadata.Attributes.OfType<ParameterAttribute>().Any(a => a.DontShow);

        private static MamlParameter ToParameter(ParameterMetadata metadata, IReadOnlyList<string> description, object? defaults, Type cmdletType)
        {
            List<ParameterSetMetadata> sets = metadata.ParameterSets.Values.ToList();
            bool byValue = sets.Any(s => s.ValueFromPipeline);
            bool byName = sets.Any(s => s.ValueFromPipelineByPropertyName);
            string pipeline = byValue && byName ? "True (ByValue, ByPropertyName)"
                : byValue ? "True (ByValue)"
                : byName ? "True (ByPropertyName)"
                : "False";
            var positions = sets.Select(s => s.Position).Distinct().ToList();
            string position = positions.Count == 1 && positions[0] >= 0
                ? positions[0].ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "named";

            Type element = metadata.ParameterType.IsArray ? metadata.ParameterType.GetElementType()! : metadata.ParameterType;
            element = Nullable.GetUnderlyingType(element) ?? element;
            IReadOnlyList<string> valid = metadata.Attributes.OfType<ValidateSetAttribute>().FirstOrDefault()?.ValidValues.ToList()
                ?? (element.IsEnum ? Enum.GetNames(element).ToList() : new List<string>());

            return new MamlParameter
            {
                Name = metadata.Name,
                Type = metadata.ParameterType,
                Required = sets.Count > 0 && sets.All(s => s.IsMandatory),
                Position = position,
                PipelineInput = pipeline,
                Aliases = metadata.Aliases.ToList(),
                ValidValues = valid,
                Globbing = metadata.Attributes.OfType<SupportsWildcardsAttribute>().Any(),
                DefaultValue = DefaultOf(defaults, cmdletType, metadata),
                Description = description,
            };
        }

        /// <summary>The default a fresh cmdlet object holds, as help should state it.</summary>
        private static string DefaultOf(object? defaults, Type cmdletType, ParameterMetadata metadata)
        {
            if (metadata.SwitchParameter)
            {
                return "False";
            }

            PropertyInfo? property = cmdletType.GetProperty(metadata.Name, BindingFlags.Public | BindingFlags.Instance);
            if (defaults == null || property == null)
            {
                return "None";
            }

            object? value = property.GetValue(defaults);
            switch (value)
            {
                case null:
                    return "None";
                case string text:
                    return text.Length == 0 ? "None" : text;
                case IEnumerable items:
                    string joined = string.Join(", ", items.Cast<object>());
                    return joined.Length == 0 ? "None" : joined;
                default:
                    return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "None";
            }
        }

        private static object? TryCreate(Type type)
        {
            try
            {
                return Activator.CreateInstance(type);
            }
            catch (Exception)
            {
                return null;
            }
        }
    }

    /// <summary>A parameter as one syntax line shows it.</summary>
    internal sealed class SyntaxParameter
    {
        public SyntaxParameter(MamlParameter parameter, bool required, string position)
        {
            Parameter = parameter;
            Required = required;
            Position = position;
        }

        public MamlParameter Parameter { get; }

        public bool Required { get; }

        public string Position { get; }
    }
}
