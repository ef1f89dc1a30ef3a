"""Namespaces. FKG is closed: a term the ontology does not define is an error at first use."""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, TIME, VOID, XSD, ClosedNamespace

ONTOLOGY_IRI = "https://w3id.org/funding-kg/ontology"
DEFAULT_BASE = "https://w3id.org/funding-kg/id/"

FKG_TERMS = [
    # classes
    "Organisation", "State", "Ministry", "FundingAgency", "Institution", "University", "Hospital",
    "NationalResearchCenter", "ResearchInstitute", "InstitutionGroup", "BudgetItem", "Section", "Program",
    "Component", "Part", "Hub", "HubType", "Policy", "Call", "Amount", "Allocation", "UnitAmount",
    "UnexplainedRemainder", "BudgetKind", "FiscalYear", "FundingFlow", "Instrument", "PerUnit",
    "SourceDocument", "Span",
    # properties
    "partOf", "managedBy", "basedOn", "reorganisedFrom", "cooperatesWith", "periodStart", "periodEnd",
    "newInFiscalYear", "fundYears", "maxSupportYears", "componentNumber", "hubType", "hostedBy",
    "fundedUnder", "certifiedBy", "completedInFiscalYear", "disease", "location", "purpose", "exactCount",
    "maxCount", "approximateCount", "ofProgram", "expectedCount", "countUnit", "countApproximate",
    "newProjects", "amountPer", "perUnit", "allocatedTo", "fiscalYear", "budgetKind", "amountYen",
    "currency", "originalText", "approximate", "upperBound", "isFund", "remainderOf", "funder", "recipient",
    "instrument", "viaProgram", "forComponent", "funds", "year", "startDate", "endDate", "decisionDate",
    "evidence", "interpretation", "note", "line", "endLine", "sha256", "documentFiscalYear",
    # code lists
    "BudgetKinds", "Request", "InitialBudget", "SupplementaryBudget", "Instruments", "Subsidy",
    "Commission", "Assistance", "HubTypes", "FlagshipHub", "SynergyHub", "CoreHub", "DiseaseTissueHub",
    "OverseasSite", "Biobank", "ResearchFacility", "DataPlatform", "SupportInstitution", "PerUnits",
    "PerProject", "PerInstitution",
]
FKG = ClosedNamespace(ONTOLOGY_IRI + "#", FKG_TERMS)

SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
CUR = Namespace("http://qudt.org/vocab/currency/")
FRAPO = Namespace("http://purl.org/cerif/frapo/")

PREFIXES = {
    "fkg": FKG, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": XSD, "skos": SKOS, "dct": DCTERMS, "org": ORG,
    "foaf": FOAF, "prov": PROV, "qb": QB, "oa": OA, "schema": SCHEMA, "cur": CUR, "time": TIME,
    "void": VOID, "dcat": DCAT, "frapo": FRAPO,
}

KIND_TERMS = {"request": FKG.Request, "initial": FKG.InitialBudget, "supplementary": FKG.SupplementaryBudget}
INSTRUMENT_TERMS = {"subsidy": FKG.Subsidy, "commission": FKG.Commission, "assistance": FKG.Assistance}
PER_TERMS = {"project": FKG.PerProject, "institution": FKG.PerInstitution}
HUB_TYPE_TERMS = {
    "Flagship": FKG.FlagshipHub, "Synergy": FKG.SynergyHub, "Core": FKG.CoreHub,
    "DiseaseTissue": FKG.DiseaseTissueHub, "OverseasSite": FKG.OverseasSite, "Biobank": FKG.Biobank,
    "ResearchFacility": FKG.ResearchFacility, "DataPlatform": FKG.DataPlatform,
    "SupportInstitution": FKG.SupportInstitution,
}
KIND_LABELS = {
    "request": ("予算額（案）", "budget request"),
    "initial": ("当初予算額", "initial budget"),
    "supplementary": ("補正予算額", "supplementary budget"),
}


def bind_prefixes(graph, base: str = DEFAULT_BASE) -> None:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, str(ns), override=True, replace=True)
    graph.bind("id", base, override=True, replace=True)
