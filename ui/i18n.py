"""Every string of the interface, in Spanish and English, in one place.

``t(key, lang)`` looks a string up; ``label(vocabulary, code, lang)`` gives the
label of a data code (a service, a population, an operator...). A missing key is a
bug, not a fallback: it raises ``KeyError`` so the tests catch it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

LANGUAGES = ("es", "en")
LANGUAGE_NAMES = {"es": "Español", "en": "English"}

STRINGS: Mapping[str, Mapping[str, str]] = {
    "app_title": {"es": "Atlas del Cuidado", "en": "Care Atlas"},
    "app_tagline": {
        "es": "Manzanas del cuidado, cooperativas y servicios de cuidado en América Latina",
        "en": "Care blocks, cooperatives and care services in Latin America",
    },
    "language": {"es": "Idioma", "en": "Language"},
    "page_explore": {"es": "Explorar", "en": "Explore"},
    "page_region": {"es": "Región", "en": "Region"},
    "sample_note": {
        "es": (
            "Datos de muestra ilustrativos: las posiciones se ubicaron a mano en el barrio o la "
            "ciudad citados (precisión de 0,5 a 2 km) y las localidades son zonas aproximadas, "
            "no límites oficiales. Cada punto indica su fuente y su precisión."
        ),
        "en": (
            "Illustrative sample data: positions were placed by hand at the named neighbourhood "
            "or city (good to 0.5–2 km) and the localidades are approximate zones, not official "
            "boundaries. Every point states its source and precision."
        ),
    },
    "sample_note_short": {
        "es": (
            "Datos de muestra ilustrativos: posiciones y localidades aproximadas (0,5 a 2 km). "
            "Detalles en «Sobre las capas»."
        ),
        "en": (
            "Illustrative sample data: positions and localidades are approximate (0.5–2 km). "
            "Details in “About the layers”."
        ),
    },
    "atlas_note_short": {
        "es": (
            "Capas oficiales de Bogotá (Datos Abiertos Bogotá, SDIS y Secretaría de la Mujer, "
            "hacia 2020); la demanda es modelada. Detalles en «Sobre las capas»."
        ),
        "en": (
            "Bogotá's official layers (Datos Abiertos Bogotá, SDIS and Women's Secretariat, "
            "about 2020); demand is modelled. Details in “About the layers”."
        ),
    },
    "atlas_note": {
        "es": (
            "Capas oficiales de Bogotá (Datos Abiertos Bogotá): servicios de la SDIS y la "
            "Secretaría de la Mujer hacia 2020 (verifíquelos antes de presentarlos como "
            "actuales), límites de IDECA y población proyectada 2024 (SDP – DANE) repartida "
            "por manzanas: la demanda por celda es MODELADA. La Malla Vial de esta copia no "
            "cubre buena parte del centro y el nororiente: allí las distancias son en línea "
            "recta × factor de desvío, y el mapa y las tablas lo dicen."
        ),
        "en": (
            "Bogotá's official layers (Datos Abiertos Bogotá): SDIS and Women's Secretariat "
            "services about 2020 (re-check them before presenting them as current), IDECA "
            "boundaries and the 2024 population projection (SDP – DANE) spread over the city "
            "blocks: demand per cell is MODELLED. This copy of the street network misses much of "
            "the centre and north-east: there distances are straight line × detour factor, and "
            "the map and tables say so."
        ),
    },
    "dataset_line": {
        "es": "Datos: {title} · {vintage} · Licencia: {licence}",
        "en": "Data: {title} · {vintage} · Licence: {licence}",
    },
    "dataset_unnamed": {"es": "carpeta de datos sin nombre", "en": "unnamed data folder"},
    "dataset_unreadable": {
        "es": "Datos: no se pudo leer el registro de capas.",
        "en": "Data: the layer registry could not be read.",
    },
    "col_straight_pct": {
        "es": "% de personas con distancia en línea recta (falta la calle en la capa)",
        "en": "% of people on straight-line distance (street layer missing)",
    },
    "tab_upz": {"es": "Por UPZ", "en": "By UPZ"},
    "gaps_straight_fallback": {
        "es": (
            "La capa de calles no cubre todo el área: para {pct} % de las personas "
            "({people} en {cells} celdas) las cifras usan línea recta × factor de desvío "
            "en lugar de las calles. La tabla por localidad y por UPZ dice dónde."
        ),
        "en": (
            "The street layer does not cover the whole area: for {pct} % of people ({people} "
            "in {cells} cells) the figures use straight line × detour factor instead of the "
            "streets. The tables by localidad and by UPZ say where."
        ),
    },
    "filters": {"es": "Filtros", "en": "Filters"},
    "filter_layers": {"es": "Capas", "en": "Layers"},
    "filter_services": {"es": "Servicio que ofrece", "en": "Service offered"},
    "filter_populations": {"es": "A quién cuida", "en": "Who is cared for"},
    "filter_operators": {"es": "Quién lo presta", "en": "Run by"},
    "filter_countries": {"es": "País", "en": "Country"},
    "filter_cities": {"es": "Ciudad", "en": "City"},
    "filter_any": {"es": "Todos", "en": "All"},
    "clear_filters": {"es": "Quitar filtros", "en": "Clear filters"},
    "shown_total": {"es": "Lugares en el mapa", "en": "Places on the map"},
    "shown_of": {"es": "de {total}", "en": "of {total}"},
    "nothing_matches": {
        "es": "Ningún lugar cumple todos los filtros. Quite alguno para ver más.",
        "en": "No place matches every filter. Remove one to see more.",
    },
    "legend": {"es": "Leyenda", "en": "Legend"},
    "legend_boundaries": {
        "es": "Localidades (aprox.) / países",
        "en": "Localidades (approx.) / countries",
    },
    "legend_boundaries_official": {
        "es": "Localidades y UPZ (IDECA) / países",
        "en": "Localidades and UPZ (IDECA) / countries",
    },
    "page_gaps": {"es": "Brechas", "en": "Gaps"},
    "page_present": {"es": "Presentar", "en": "Present"},
    "present_title": {"es": "Presentar una historia", "en": "Present a story"},
    "present_intro": {
        "es": (
            "Una historia es una serie de vistas guardadas (mapa, capas, filtros y parámetros) "
            "con un título y una nota. Preséntela a pantalla completa con las flechas del "
            "teclado, o descárguela para abrirla sin internet."
        ),
        "en": (
            "A story is a series of saved views (map, layers, filters and parameters) with a "
            "title and a note. Present it full screen with the arrow keys, or download it to "
            "open without internet."
        ),
    },
    "present_pick": {"es": "Historia", "en": "Story"},
    "present_sample_name": {
        "es": "Muestra: el cuidado en Bogotá y la región",
        "en": "Sample: care in Bogotá and the region",
    },
    "present_sample_note": {
        "es": "(Datos de muestra aproximados; la demanda es un modelo.)",
        "en": "(Approximate sample data; the demand is a model.)",
    },
    "present_sample_hint": {
        "es": "La historia de muestra no se puede editar: guarde una copia para cambiarla.",
        "en": "The sample story cannot be edited: save a copy to change it.",
    },
    "present_save_copy": {"es": "Guardar una copia", "en": "Save a copy"},
    "present_s1_title": {"es": "Las Manzanas del Cuidado de Bogotá", "en": "Bogotá's care blocks"},
    "present_s1_note": {
        "es": "Manzanas del Cuidado, paradas del Bus del Cuidado y cuidado a domicilio.",
        "en": "Care blocks, care-bus stops and home care.",
    },
    "present_s2_title": {
        "es": "¿A quién alcanzan a 15 minutos a pie?",
        "en": "Who do they reach within a 15-minute walk?",
    },
    "present_s2_note": {
        "es": "Personas a 15 minutos a pie (adulto) de un servicio de cuidado, por grupo.",
        "en": "People within a 15-minute walk (adult) of a care service, by group.",
    },
    "present_s3_title": {
        "es": "Zonas sin servicio: personas mayores a 30 minutos",
        "en": "Unserved areas: older persons within 30 minutes",
    },
    "present_s3_note": {
        "es": "A paso de una persona mayor; las zonas sin servicio se delinean en negro.",
        "en": "At an older person's pace; unserved areas are outlined in black.",
    },
    "present_s4_title": {
        "es": "Dónde ayudarían más 3 sitios nuevos",
        "en": "Where 3 new sites would help most",
    },
    "present_s4_note": {
        "es": "Sugerencia de cobertura máxima con las manzanas existentes fijas.",
        "en": "Maximal covering suggestion with the existing care blocks kept.",
    },
    "present_s5_title": {
        "es": "Cooperativas y formación en la región",
        "en": "Cooperatives and training across the region",
    },
    "present_s5_note": {
        "es": "Cooperativas de cuidado, instituciones de formación y sistemas nacionales.",
        "en": "Care cooperatives, training institutions and national systems.",
    },
    "present_new_sites": {"es": "Sitios nuevos", "en": "New sites"},
    "present_newly_within": {
        "es": "Personas nuevas a su alcance",
        "en": "People newly within reach",
    },
    "present_offer": {"es": "Ofertas de formación", "en": "Training offers"},
    "present_not_found": {
        "es": "No hay una historia guardada con el código {id}; se muestra la de muestra.",
        "en": "No saved story has the code {id}; the sample story is shown.",
    },
    "present_open_error": {
        "es": "No se pudo abrir la historia: {error}",
        "en": "Could not open the story: {error}",
    },
    "present_empty": {"es": "Esta historia no tiene vistas.", "en": "This story has no views."},
    "present_start": {"es": "Presentar", "en": "Present"},
    "present_show": {"es": "Ver", "en": "Show"},
    "present_prev": {"es": "Anterior", "en": "Previous"},
    "present_next": {"es": "Siguiente", "en": "Next"},
    "present_exit": {"es": "Salir", "en": "Exit"},
    "present_png": {"es": "Esta diapositiva (PNG)", "en": "This slide (PNG)"},
    "present_download_failed": {
        "es": "No se pudo preparar la descarga: {error}. Pruebe de nuevo o avise a quien "
        "administra el atlas.",
        "en": "The download could not be built: {error}. Try again or tell whoever runs the atlas.",
    },
    "present_download_io": {
        "es": "no se pudo leer o escribir un archivo que el atlas necesita (detalles en el registro)",
        "en": "a file the atlas needs could not be read or written (details in the log)",
    },
    "present_prepare": {"es": "Preparar los archivos", "en": "Prepare the files"},
    "present_prepare_note": {
        "es": "Los archivos se hacen a partir de las vistas guardadas (unos segundos).",
        "en": "The files are made from the saved views (a few seconds).",
    },
    "present_story_name": {"es": "Nombre de la historia", "en": "Story name"},
    "present_rename": {"es": "Cambiar nombre", "en": "Rename"},
    "present_delete_story": {"es": "Borrar la historia", "en": "Delete the story"},
    "present_read_only": {
        "es": "Solo lectura: abrió un enlace compartido. Para cambiarla necesita su enlace de edición; o guarde una copia y cambie la copia.",
        "en": "Read only: you opened a shared link. Changing it needs its edit link; or save a copy and change the copy.",
    },
    "plan_read_only": {
        "es": "Abrió un escenario compartido: solo lectura. Para guardar encima necesita su enlace de edición; «Guardar como nuevo» guarda sus cambios aparte.",
        "en": "You opened a shared scenario: read only. Saving over it needs its edit link; “Save as new” keeps your changes separately.",
    },
    "edit_link_once": {
        "es": "Enlace de edición (se muestra una sola vez; guárdelo en privado): quien lo tenga puede cambiar o borrar esto. Para compartir solo la lectura, use el enlace sin «&edit=…».",
        "en": "Edit link (shown only once; keep it private): whoever has it can change or delete this. To share it read-only, use the link without “&edit=…”.",
    },
    "edit_link_invalid": {
        "es": "Ese enlace de edición no vale para esto: se abre solo para leer.",
        "en": "That edit link is not valid for this: it opens read-only.",
    },
    "present_share": {
        "es": "Para compartirla, copie el enlace de esta página (termina así):",
        "en": "To share it, copy this page's link (it ends like this):",
    },
    "present_sources": {"es": "Fuentes", "en": "Sources"},
    "present_sources_all": {
        "es": "Atlas del Cuidado: datos de muestra aproximados (ver «Acerca de las capas»)",
        "en": "Care Atlas: approximate sample data (see 'About the layers')",
    },
    "present_exports": {"es": "Descargar la historia", "en": "Download the story"},
    "present_exports_note": {
        "es": (
            "El HTML abre sin internet en cualquier navegador (mapa, leyenda, cifras); los PDF "
            "y PNG son diapositivas listas para enviar; las cifras van con sus parámetros."
        ),
        "en": (
            "The HTML opens without internet in any browser (map, legend, figures); the PDF "
            "and PNG are slides ready to send; the figures come with their parameters."
        ),
    },
    "present_html": {"es": "Historia (HTML sin conexión)", "en": "Story (offline HTML)"},
    "present_pdf_169": {"es": "Diapositivas PDF 16:9", "en": "Slides PDF 16:9"},
    "present_pdf_a4": {"es": "Diapositivas PDF A4", "en": "Slides PDF A4"},
    "present_csv": {"es": "Cifras (CSV)", "en": "Figures (CSV)"},
    "present_xlsx": {"es": "Cifras (Excel)", "en": "Figures (Excel)"},
    "present_figures_sheet": {"es": "Cifras", "en": "Figures"},
    "present_add": {"es": "Agregar esta vista a una historia", "en": "Add this view to a story"},
    "present_new_story": {"es": "Una historia nueva", "en": "A new story"},
    "present_to_story": {"es": "Historia", "en": "Story"},
    "present_view_title": {"es": "Título de la diapositiva", "en": "Slide title"},
    "present_view_note": {"es": "Nota breve", "en": "Short note"},
    "present_add_go": {"es": "Agregar", "en": "Add"},
    "present_add_error": {
        "es": "No se pudo agregar: {error}",
        "en": "Could not add it: {error}",
    },
    "present_added": {"es": "Agregada a «{name}».", "en": "Added to '{name}'."},
    "present_open_story": {"es": "Abrir la historia", "en": "Open the story"},
    "page_plan": {"es": "Planificar", "en": "Plan sites"},
    "plan_title": {
        "es": "¿Dónde debería ir la próxima manzana del cuidado?",
        "en": "Where should the next care block go?",
    },
    "plan_intro": {
        "es": (
            "Pida sugerencias de sitios que acerquen el cuidado a más personas sin mover los "
            "que ya existen, o agregue, mueva y quite sitios a mano. Compare antes y después, "
            "guarde el escenario y compártalo con su enlace."
        ),
        "en": (
            "Ask for site suggestions that bring care within reach of the most people while "
            "keeping the existing sites, or add, move and remove sites by hand. Compare before "
            "and after, save the scenario and share it by its link."
        ),
    },
    "plan_controls": {"es": "Quién cuenta y a qué distancia", "en": "Who counts, and how far"},
    "plan_weights": {"es": "Peso de cada grupo", "en": "Weight of each group"},
    "plan_weights_help": {
        "es": (
            "Cuánto cuenta una persona de cada grupo al elegir sitios (1 = igual que las "
            "demás; 2 = el doble; 0 = no cuenta)."
        ),
        "en": (
            "How much one person of each group counts when sites are chosen (1 = like "
            "everyone else; 2 = twice as much; 0 = not at all)."
        ),
    },
    "plan_where": {"es": "Sitios nuevos", "en": "New sites"},
    "plan_candidates": {"es": "Dónde pueden ir", "en": "Where they may go"},
    "plan_candidates_grid": {
        "es": "En cualquier punto de la ciudad (cuadrícula)",
        "en": "Anywhere in the city (a grid)",
    },
    "plan_candidates_clicked": {
        "es": "Solo en puntos que marco en el mapa",
        "en": "Only at points I mark on the map",
    },
    "plan_spacing": {"es": "Separación de la cuadrícula", "en": "Grid spacing"},
    "plan_candidates_layer": {"es": "Solo en mi capa «{name}»", "en": "Only at my layer '{name}'"},
    "plan_candidates_help": {
        "es": (
            "Para proponer edificios públicos, parques o colegios, suba su capa en «Datos»: "
            "aparecerá aquí."
        ),
        "en": (
            "To propose public buildings, parks or schools, upload your layer on 'Data': it "
            "will appear here."
        ),
    },
    "plan_k": {"es": "Cuántos sitios nuevos", "en": "How many new sites"},
    "plan_capacity": {
        "es": "Personas que puede atender un sitio (0 = sin límite)",
        "en": "People one site can serve (0 = no limit)",
    },
    "plan_capacity_help": {
        "es": (
            "Con un límite, un sitio no «cubre» a más personas de las que puede atender: las "
            "demás siguen contando como sin servicio. El límite es para los sitios nuevos; los "
            "existentes atienden a todos a su alcance."
        ),
        "en": (
            "With a limit, a site cannot 'cover' more people than it can serve: the rest still "
            "count as unserved. The limit applies to new sites; existing sites serve everyone "
            "within their reach."
        ),
    },
    "plan_suggest": {"es": "Sugerir {k} sitios", "en": "Suggest {k} sites"},
    "plan_solving": {"es": "Buscando los mejores sitios…", "en": "Finding the best sites…"},
    "plan_no_candidates": {
        "es": "Marque puntos candidatos en el mapa (modo «Agregar un punto candidato»).",
        "en": "Mark candidate points on the map ('Add a candidate point' mode).",
    },
    "plan_suggested_line": {
        "es": (
            "{n} de {asked} sitios sugeridos: acercan a {gain} personas (ponderadas) más; "
            "calculado en {seconds} s. Vea la pestaña «Sitios sugeridos»."
        ),
        "en": (
            "{n} of {asked} sites suggested: they bring {gain} more people (weighted) within "
            "reach; computed in {seconds} s. See the 'Suggested sites' tab."
        ),
    },
    "plan_nothing_to_gain": {
        "es": (
            "Ningún sitio candidato acerca a nadie más: todas las personas a su alcance ya "
            "tienen un servicio cerca. Pruebe otros candidatos o más minutos."
        ),
        "en": (
            "No candidate site brings anyone new within reach: everyone near them already has "
            "a service. Try other candidates or more minutes."
        ),
    },
    "plan_delta_points": {"es": "{points} pts", "en": "{points} pts"},
    "plan_scenario_state": {
        "es": "Cifras con el escenario; el cambio es frente a los servicios de hoy.",
        "en": "Figures with the scenario; the change is against today's services.",
    },
    "plan_no_changes": {
        "es": "Cifras con los servicios de hoy: el escenario aún no cambia nada.",
        "en": "Figures with today's services: the scenario changes nothing yet.",
    },
    "plan_new_zones": {
        "es": "Alcance de los sitios nuevos y sugeridos",
        "en": "Reach of the new and suggested sites",
    },
    "plan_click": {"es": "Un clic en el mapa…", "en": "A click on the map…"},
    "plan_click_select": {"es": "Selecciona un sitio", "en": "Selects a site"},
    "plan_click_add": {"es": "Agrega un sitio nuevo", "en": "Adds a new site"},
    "plan_click_candidate": {"es": "Agrega un punto candidato", "en": "Adds a candidate point"},
    "plan_click_move": {
        "es": "Mueve allí el sitio seleccionado",
        "en": "Moves the selected site there",
    },
    "plan_manual_name": {"es": "Sitio nuevo {n}", "en": "New site {n}"},
    "plan_candidate_name": {"es": "Candidato {n}", "en": "Candidate {n}"},
    "plan_suggested_name": {"es": "Sitio sugerido {n}", "en": "Suggested site {n}"},
    "plan_remove_existing": {
        "es": "Quitar este sitio en el escenario",
        "en": "Take this site out in the scenario",
    },
    "plan_remove_new": {"es": "Quitar este sitio nuevo", "en": "Remove this new site"},
    "plan_move_hint": {
        "es": "Para moverlo: elija «Mueve allí el sitio seleccionado» y haga clic en el mapa.",
        "en": "To move it: choose 'Moves the selected site there' and click the map.",
    },
    "plan_tab_figures": {"es": "Antes y después", "en": "Before and after"},
    "plan_tab_suggested": {"es": "Sitios sugeridos", "en": "Suggested sites"},
    "plan_tab_curve": {"es": "¿Cuántos sitios?", "en": "How many sites?"},
    "plan_tab_scenario": {"es": "Escenario", "en": "Scenario"},
    "plan_tab_check": {"es": "¿Qué tan buena es?", "en": "How good is it?"},
    "plan_col_figure": {"es": "Cifra", "en": "Figure"},
    "plan_col_before": {"es": "Hoy", "en": "Today"},
    "plan_col_after": {"es": "Con el escenario", "en": "With the scenario"},
    "plan_col_change": {"es": "Cambio", "en": "Change"},
    "plan_fig_within": {
        "es": "{group}: personas a su alcance",
        "en": "{group}: people within reach",
    },
    "plan_fig_pct": {"es": "{group}: % a su alcance", "en": "{group}: % within reach"},
    "plan_fig_largest": {
        "es": "Personas en la mayor zona sin servicio",
        "en": "People in the largest unserved area",
    },
    "plan_fig_2sfca": {
        "es": "Cupos por 1.000 personas (persona del percentil {pct})",
        "en": "Places per 1,000 people ({pct}th percentile person)",
    },
    "plan_fig_simultaneity": {
        "es": "Personas cuidadoras con ambos servicios a su alcance (%)",
        "en": "Carers with both services within reach (%)",
    },
    "plan_figures_note": {
        "es": (
            "Los cupos por 1.000 personas (2SFCA) dan la distribución: la persona del percentil "
            "10 tiene menos acceso que el 90 % de la población. Un sitio nuevo ofrece lo que "
            "ofrecen la mayoría de las manzanas (el catálogo distrital) y cuenta 1 cupo."
        ),
        "en": (
            "Places per 1,000 people (2SFCA) give the distribution: the 10th percentile person "
            "has less access than 90% of people. A new site offers what most care blocks "
            "offer (the district catalogue) and counts 1 place."
        ),
    },
    "plan_col_order": {"es": "Orden", "en": "Order"},
    "plan_col_name": {"es": "Sitio", "en": "Site"},
    "plan_col_new": {"es": "{group}: nuevas a su alcance", "en": "{group}: newly within reach"},
    "plan_col_area": {"es": "Zona sin servicio que atiende", "en": "Unserved area it answers"},
    "plan_col_lat": {"es": "Latitud", "en": "Latitude"},
    "plan_col_lon": {"es": "Longitud", "en": "Longitude"},
    "plan_area_label": {"es": "Zona {n}", "en": "Area {n}"},
    "plan_no_suggestion": {
        "es": "Pulse «Sugerir» para ver dónde convienen los sitios nuevos.",
        "en": "Press 'Suggest' to see where new sites would help most.",
    },
    "plan_suggested_note": {
        "es": (
            "En el orden elegido: cada sitio cuenta solo a quienes aún no tenían un servicio "
            "a su alcance (ni de un sitio existente ni de uno sugerido antes). Método: "
            "cobertura máxima con los sitios existentes fijos (voraz + intercambios)."
        ),
        "en": (
            "In the order chosen: each site counts only people not yet within reach of a "
            "service (an existing site or an earlier suggestion). Method: maximal covering "
            "with the existing sites fixed (greedy + swaps)."
        ),
    },
    "plan_accept": {"es": "Agregar al escenario", "en": "Add to the scenario"},
    "plan_curve_k": {"es": "Sitios nuevos", "en": "New sites"},
    "plan_curve_title": {
        "es": (
            "Qué parte de la demanda queda a su alcance con 1, 2, 3… sitios nuevos "
            "(la mejor combinación para cada número)"
        ),
        "en": (
            "How much of the demand is within reach with 1, 2, 3… new sites "
            "(the best combination for each number)"
        ),
    },
    "plan_curve_share": {
        "es": "% de la demanda (ponderada) a su alcance",
        "en": "% of (weighted) demand within reach",
    },
    "plan_curve_new": {"es": "Personas nuevas a su alcance", "en": "People newly within reach"},
    "plan_curve_marginal": {"es": "Lo que suma el último sitio", "en": "What the last site adds"},
    "plan_curve_note": {
        "es": (
            "Cada sitio más suma menos que el anterior: la curva muestra cuántos sitios valen "
            "la pena. Para cada número de sitios se busca la mejor combinación (no se agregan "
            "uno tras otro)."
        ),
        "en": (
            "Each extra site adds less than the one before: the curve shows how many sites are "
            "worth funding. For each number of sites the best combination is searched (not "
            "one added after another)."
        ),
    },
    "plan_empty_scenario": {
        "es": "El escenario está vacío: acepte sugerencias o agregue sitios en el mapa.",
        "en": "The scenario is empty: accept suggestions or add sites on the map.",
    },
    "plan_origin_suggested": {"es": "sugerido", "en": "suggested"},
    "plan_origin_manual": {"es": "agregado a mano", "en": "added by hand"},
    "plan_origin_moved": {"es": "sitio existente movido", "en": "existing site moved"},
    "plan_drop": {"es": "Quitar", "en": "Remove"},
    "plan_removed_line": {
        "es": "Sitio existente quitado: {id}",
        "en": "Existing site taken out: {id}",
    },
    "plan_restore": {"es": "Devolver", "en": "Restore"},
    "plan_name": {"es": "Nombre del escenario", "en": "Scenario name"},
    "plan_save_new": {"es": "Guardar como nuevo", "en": "Save as new"},
    "plan_save_over": {"es": "Guardar cambios", "en": "Save changes"},
    "plan_saved": {"es": "Guardado: «{name}».", "en": "Saved: '{name}'."},
    "plan_save_error": {
        "es": "No se pudo guardar: {error}",
        "en": "Could not save: {error}",
    },
    "plan_share": {
        "es": "Para compartirlo, copie el enlace de esta página (termina así):",
        "en": "To share it, copy this page's link (it ends like this):",
    },
    "plan_saved_list": {"es": "Escenarios guardados", "en": "Saved scenarios"},
    "plan_none_saved": {"es": "Aún no hay escenarios guardados.", "en": "No saved scenarios yet."},
    "plan_sites_word": {"es": "sitios nuevos", "en": "new sites"},
    "plan_open": {"es": "Abrir", "en": "Open"},
    "plan_delete": {"es": "Borrar", "en": "Delete"},
    "plan_not_found": {
        "es": (
            "No hay un escenario guardado con el código {id}: pudo ser borrado o el enlace "
            "está incompleto. Se muestra el escenario actual."
        ),
        "en": (
            "No saved scenario has the code {id}: it may have been deleted, or the link is "
            "incomplete. The current scenario is shown."
        ),
    },
    "plan_open_error": {
        "es": "No se pudo abrir el escenario: {error}",
        "en": "Could not open the scenario: {error}",
    },
    "plan_export_sites": {"es": "Sitios (GeoJSON)", "en": "Sites (GeoJSON)"},
    "plan_export_figures": {
        "es": "Cifras y parámetros (CSV)",
        "en": "Figures and parameters (CSV)",
    },
    "plan_check_intro": {
        "es": (
            "Las sugerencias salen de un método rápido (voraz + intercambios). Aquí se "
            "comparan con el óptimo exacto (programación entera, HiGHS), calculado aparte "
            "hasta {seconds} s; puede cancelarlo y seguir trabajando mientras tanto."
        ),
        "en": (
            "Suggestions come from a fast method (greedy + swaps). Here they are compared "
            "with the exact optimum (integer programming, HiGHS), solved separately for up to "
            "{seconds} s; you can cancel it and keep working meanwhile."
        ),
    },
    "plan_check_needs": {
        "es": "Primero pida una sugerencia.",
        "en": "Ask for a suggestion first.",
    },
    "plan_check_start": {
        "es": "Comparar con el óptimo exacto",
        "en": "Compare with the exact optimum",
    },
    "plan_check_running": {
        "es": "Resolviendo el óptimo exacto: {seconds} s de {limit} s como máximo",
        "en": "Solving for the exact optimum: {seconds} s of at most {limit} s",
    },
    "plan_check_cancel": {"es": "Cancelar", "en": "Cancel"},
    "plan_check_failed": {
        "es": (
            "El cálculo exacto no dio respuesta ({error}). Los problemas grandes tardan: "
            "pruebe una cuadrícula de 500 m o menos puntos candidatos."
        ),
        "en": (
            "The exact solve gave no answer ({error}). Large problems take long: try a "
            "500 m grid or fewer candidate points."
        ),
    },
    "plan_check_cancelled": {"es": "Cálculo exacto cancelado.", "en": "Exact solve cancelled."},
    "plan_check_optimal": {
        "es": (
            "Óptimo exacto: {exact} personas (ponderadas); la sugerencia: {greedy}, a "
            "{gap} % del óptimo ({seconds} s)."
        ),
        "en": (
            "Exact optimum: {exact} people (weighted); the suggestion: {greedy}, {gap}% below "
            "the optimum ({seconds} s)."
        ),
    },
    "plan_check_bound": {
        "es": (
            "Sin prueba de óptimo en el tiempo dado: la mejor solución exacta halló {exact} y "
            "ninguna supera {bound}; la sugerencia ({greedy}) está a lo sumo a {gap} % del "
            "óptimo ({seconds} s)."
        ),
        "en": (
            "Not proven optimal in the time given: the exact solver found {exact} and no "
            "solution exceeds {bound}; the suggestion ({greedy}) is at most {gap}% below the "
            "optimum ({seconds} s)."
        ),
    },
    "gaps_title": {
        "es": "¿Quién tiene cuidado a una caminata?",
        "en": "Who has care within a walk?",
    },
    "gaps_intro": {
        "es": "Quién vive a pocos minutos a pie de un servicio de cuidado, quién no, y cuánto cuidado puede esperar cada lugar.",
        "en": "Who lives within a few minutes' walk of a care service, who does not, and how much care each place can count on.",
    },
    "gaps_controls": {"es": "Análisis", "en": "Analysis"},
    "gaps_groups": {"es": "Grupos de población", "en": "Population groups"},
    "gaps_services": {"es": "Servicios que cuentan", "en": "Services that count"},
    "gaps_measure": {"es": "Qué mostrar", "en": "What to show"},
    "measure_coverage": {"es": "Personas fuera de alcance", "en": "People out of reach"},
    "measure_nearest": {"es": "Minutos hasta el más cercano", "en": "Minutes to the nearest"},
    "measure_2sfca": {
        "es": "Lugares de cuidado por 1.000 (2SFCA)",
        "en": "Care places per 1,000 (2SFCA)",
    },
    "measure_e2sfca": {
        "es": "Lugares de cuidado por 1.000, con distancia (E2SFCA)",
        "en": "Care places per 1,000, distance-weighted (E2SFCA)",
    },
    "measure_simultaneity": {
        "es": "Simultaneidad: cuidado y servicio para quien cuida",
        "en": "Simultaneity: care and a carer service",
    },
    "measure_coverage_bar": {
        "es": "Personas sin servicio a su alcance",
        "en": "People with no service within reach",
    },
    "measure_nearest_bar": {
        "es": "Minutos a pie al servicio más cercano",
        "en": "Walking minutes to the nearest service",
    },
    "measure_2sfca_bar": {
        "es": "Lugares de cuidado por 1.000 personas (2SFCA)",
        "en": "Care places per 1,000 people (2SFCA)",
    },
    "measure_e2sfca_bar": {
        "es": "Lugares de cuidado por 1.000 personas (E2SFCA)",
        "en": "Care places per 1,000 people (E2SFCA)",
    },
    "measure_simultaneity_bar": {
        "es": "Simultaneidad para las personas cuidadoras",
        "en": "Simultaneity for carers",
    },
    "unit_people_per_cell": {"es": "personas por celda de {cell}", "en": "people per {cell} cell"},
    "unit_minutes": {"es": "minutos", "en": "minutes"},
    "unit_places_per_1000": {
        "es": "por 1.000 personas (cada servicio cuenta 1)",
        "en": "per 1,000 people (each service counts 1)",
    },
    "unit_simultaneity": {
        "es": "rojo: ninguno · naranja: uno · verde: ambos en la misma caminata",
        "en": "red: neither · orange: one · green: both in the same walk",
    },
    "simultaneity_none": {"es": "ninguno", "en": "neither"},
    "simultaneity_both": {"es": "ambos", "en": "both"},
    "metric_within_help": {
        "es": "{people} de {total} personas a su alcance",
        "en": "{people} of {total} people within reach",
    },
    "metric_unserved": {
        "es": "Personas sin servicio a su alcance",
        "en": "People with no service within reach",
    },
    "metric_unserved_help": {
        "es": "Suma de los grupos elegidos (una persona puede estar en varios grupos)",
        "en": "Sum over the chosen groups (a person may be in several groups)",
    },
    "metric_places": {
        "es": "Personas por cada lugar a su alcance",
        "en": "People for each place within reach",
    },
    "metric_places_value": {"es": "1 por cada {n}", "en": "1 for every {n}"},
    "metric_unserved_short": {"es": "Personas sin servicio", "en": "People out of reach"},
    "gaps_people_per_place": {
        "es": "Mediana: 1 lugar por cada {n} personas que lo comparten ({per_1000} por 1.000)",
        "en": "Median: 1 place for every {n} people who share it ({per_1000} per 1,000)",
    },
    "metric_places_help": {
        "es": "2SFCA: cuántas personas compiten por cada servicio a su alcance ({per_1000} lugares por 1.000 personas); mediana ponderada por población entre quienes tienen un servicio a su alcance. Sin datos de cupos, cada servicio cuenta 1.",
        "en": "2SFCA: how many people compete for each service within reach ({per_1000} places per 1,000 people); population-weighted median among people with a service within reach. Without capacity data, each service counts 1.",
    },
    "simultaneity_line": {
        "es": "Simultaneidad: {pct} % de las personas cuidadoras tienen en la misma caminata un servicio para la persona que cuidan y uno para sí mismas.",
        "en": "Simultaneity: {pct}% of carers have, within the same walk, a service for the person they care for and one for themselves.",
    },
    "unserved_areas": {"es": "Zonas sin servicio", "en": "Unserved areas"},
    "unserved_area_n": {"es": "Zona sin servicio n.º {rank}", "en": "Unserved area #{rank}"},
    "tab_groups": {"es": "Por grupo", "en": "By group"},
    "tab_zones": {"es": "Por localidad", "en": "By localidad"},
    "how_title": {"es": "¿Cómo se calculó?", "en": "How was this computed?"},
    "how_reach": {
        "es": "Alcance: {minutes} min a {speed} km/h, con un rodeo de {detour} (distancia por calles ÷ línea recta), es un radio en línea recta de {metres} m: minutos ÷ 60 × velocidad ÷ rodeo. Las distancias se miden en metros en una proyección métrica (UTM 18N), nunca en grados.",
        "en": "Reach: {minutes} min at {speed} km/h with a detour factor of {detour} (street distance ÷ straight line) is a straight-line radius of {metres} m: minutes ÷ 60 × speed ÷ detour. Distances are measured in metres in a metric projection (UTM 18N), never in degrees.",
    },
    "how_speed_source": {"es": "Velocidad: {source}", "en": "Speed: {source}"},
    "how_coverage": {
        "es": "Cobertura: una celda está cubierta si algún servicio elegido está dentro del radio de su centro; personas a su alcance = suma de la población de las celdas cubiertas.",
        "en": "Coverage: a cell is covered when some chosen service lies within the radius of its centre; people within reach = population of the covered cells.",
    },
    "how_2sfca": {
        "es": "2SFCA (Luo y Wang, 2003): para cada servicio j, R_j = S_j ÷ Σ_i D_i sobre las celdas i a su alcance; para cada celda, A_i = Σ_j R_j sobre los servicios a su alcance; se muestra × 1.000. Da los mismos números que la 2SFCA de PySAL access.",
        "en": "2SFCA (Luo and Wang, 2003): for each service j, R_j = S_j ÷ Σ_i D_i over the cells i within reach; for each cell, A_i = Σ_j R_j over the services within reach; shown × 1,000. It gives the same numbers as PySAL access's two-stage FCA.",
    },
    "how_e2sfca": {
        "es": "E2SFCA (Luo y Qi, 2009; Dai, 2010): igual, con un peso gaussiano w(d) que vale 1 a 0 m y 0 en el radio en ambos pasos.",
        "en": "E2SFCA (Luo and Qi, 2009; Dai, 2010): the same, with a Gaussian weight w(d) that is 1 at 0 m and 0 at the radius in both steps.",
    },
    "how_simultaneity": {
        "es": "Simultaneidad (regla de diseño de las Manzanas del Cuidado de Bogotá): parte de las personas cuidadoras que tienen en la misma caminata un servicio para la persona cuidada (cuidado infantil, de personas mayores o con discapacidad) y uno para sí mismas (respiro, formación, asesoría jurídica…).",
        "en": "Simultaneity (the design rule of Bogotá's care blocks): share of carers who have, within the same walk, a service for the person they care for (child, older-person or disability care) and one for themselves (respite, training, legal aid…).",
    },
    "how_unserved": {
        "es": "Zonas sin servicio: celdas de {cell} m no cubiertas y contiguas (por un lado) unidas en una zona, ordenadas por personas.",
        "en": "Unserved areas: uncovered {cell} m cells that touch along a side merged into one area, ranked by people.",
    },
    "how_capacity": {
        "es": "Capacidad: la muestra no tiene cupos por servicio; cada servicio cuenta 1, así que la 2SFCA mide servicios (no cupos) por 1.000 personas.",
        "en": "Capacity: the sample has no places per service; each service counts 1, so 2SFCA measures services (not places) per 1,000 people.",
    },
    "how_demand": {"es": "Demanda:", "en": "Demand:"},
    "how_precision": {
        "es": "Precisión: las manzanas están ubicadas a mano en su barrio (0,5–2 km), y las localidades son zonas aproximadas; las cifras muestran el método, no la situación real de cada barrio.",
        "en": "Precision: care blocks are placed by hand at their neighbourhood (0.5–2 km) and localidades are approximate zones; the figures show the method, not the real situation of each neighbourhood.",
    },
    "col_group": {"es": "Grupo", "en": "Group"},
    "col_population": {"es": "Población", "en": "Population"},
    "col_within_reach": {"es": "A su alcance", "en": "Within reach"},
    "col_unserved": {"es": "Sin servicio a su alcance", "en": "Out of reach"},
    "col_pct_within": {"es": "% a su alcance", "en": "% within reach"},
    "col_rank": {"es": "Puesto", "en": "Rank"},
    "col_area_km2": {"es": "Superficie (km²)", "en": "Area (km²)"},
    "col_zone": {"es": "Localidad", "en": "Localidad"},
    "download_geojson": {"es": "Descargar GeoJSON", "en": "Download GeoJSON"},
    "page_data": {"es": "Datos", "en": "Data"},
    "data_title": {
        "es": "Datos: capas propias y aportes de la comunidad",
        "en": "Data: your own layers and community contributions",
    },
    "data_intro": {
        "es": "Suba sus capas (solo usted las ve, en esta sesión), sugiera un lugar de cuidado que falte en el mapa, importe capas oficiales y descargue cualquier capa.",
        "en": "Upload your own layers (only you see them, in this session), suggest a care place the map is missing, import official layers and download any layer.",
    },
    "tab_upload": {"es": "Subir una capa", "en": "Upload a layer"},
    "tab_my_layers": {"es": "Mis capas", "en": "My layers"},
    "tab_suggest": {"es": "Sugerir un lugar", "en": "Suggest a place"},
    "tab_import": {"es": "Importar de un servicio", "en": "Import from a service"},
    "tab_moderate": {"es": "Moderar", "en": "Moderate"},
    "tab_download": {"es": "Descargar capas", "en": "Download layers"},
    "upload_help": {
        "es": "GeoJSON, GeoPackage, Shapefile comprimido (.zip), CSV con coordenadas o WKT, o KML; hasta {mb} MB. Verá una vista previa antes de añadirla.",
        "en": "GeoJSON, GeoPackage, zipped Shapefile (.zip), CSV with coordinates or WKT, or KML; up to {mb} MB. You will see a preview before adding it.",
    },
    "upload_label": {"es": "Archivo", "en": "File"},
    "question_crs": {
        "es": "¿En qué sistema de coordenadas está el archivo?",
        "en": "Which coordinate system is the file in?",
    },
    "question_coordinates": {
        "es": "¿Qué columnas tienen las coordenadas?",
        "en": "Which columns hold the coordinates?",
    },
    "question_swap": {
        "es": "¿Están invertidas la latitud y la longitud?",
        "en": "Are latitude and longitude swapped?",
    },
    "question_layer": {
        "es": "¿Qué capa del archivo quiere usar?",
        "en": "Which layer of the file do you want?",
    },
    "question_encoding": {
        "es": "¿Con qué codificación se escribió el texto?",
        "en": "Which encoding was the text written in?",
    },
    "continue": {"es": "Continuar", "en": "Continue"},
    "upload_nothing_lost": {
        "es": "Sus capas anteriores siguen como estaban.",
        "en": "Your earlier layers are as they were.",
    },
    "upload_dismiss": {"es": "Probar con otro archivo", "en": "Try another file"},
    "upload_accept": {"es": "Añadir a mis capas", "en": "Add to my layers"},
    "upload_added": {
        "es": "Capa «{name}» añadida ({n} elementos).",
        "en": "Layer “{name}” added ({n} features).",
    },
    "my_layers_empty": {
        "es": "Todavía no ha añadido capas en esta sesión.",
        "en": "You have not added any layers in this session yet.",
    },
    "remove": {"es": "Quitar", "en": "Remove"},
    "import_help": {
        "es": "Importe una capa de un servicio ArcGIS REST o WFS (necesita internet). Por ejemplo, el servicio oficial de las Manzanas del Cuidado de Bogotá.",
        "en": "Import a layer from an ArcGIS REST or WFS service (needs internet). For example, Bogotá's official care-block service.",
    },
    "import_kind": {"es": "Tipo de servicio", "en": "Service type"},
    "import_arcgis": {
        "es": "ArcGIS REST (capa de MapServer o FeatureServer)",
        "en": "ArcGIS REST (MapServer or FeatureServer layer)",
    },
    "import_wfs": {"es": "WFS", "en": "WFS"},
    "import_url": {"es": "Dirección del servicio", "en": "Service URL"},
    "import_type_name": {"es": "Nombre de la capa (typeName)", "en": "Layer name (typeName)"},
    "import_run": {"es": "Importar", "en": "Import"},
    "import_running": {"es": "Importando…", "en": "Importing…"},
    "download_layer": {"es": "Capa", "en": "Layer"},
    "preview": {
        "es": "Vista previa de «{name}»: {n} elementos",
        "en": "Preview of “{name}”: {n} features",
    },
    "suggest_help": {
        "es": "¿Conoce un lugar de cuidado que no está en el mapa? Cuéntenos: una persona moderadora lo revisará antes de publicarlo, marcado como aporte de la comunidad.",
        "en": "Do you know a care place that is not on the map? Tell us: a moderator will check it before it is published, marked as community-sourced.",
    },
    "suggest_pick": {
        "es": "Haga clic en el mapa donde está el lugar (o escriba la latitud y la longitud).",
        "en": "Click the map where the place is (or type its latitude and longitude).",
    },
    "suggest_find_place": {
        "es": "O busque el lugar por su nombre (barrio, localidad, lugar conocido)",
        "en": "Or find the place by name (neighbourhood, localidad, landmark)",
    },
    "suggest_name": {"es": "Nombre del lugar", "en": "Name of the place"},
    "suggest_kind": {"es": "Tipo de lugar", "en": "Kind of place"},
    "suggest_populations": {"es": "A quién cuida", "en": "Who it cares for"},
    "suggest_services": {"es": "Qué ofrece", "en": "What it offers"},
    "suggest_operator": {"es": "Quién lo presta", "en": "Run by"},
    "suggest_lat": {"es": "Latitud", "en": "Latitude"},
    "suggest_lon": {"es": "Longitud", "en": "Longitude"},
    "suggest_place_name": {"es": "Dirección o barrio", "en": "Address or neighbourhood"},
    "suggest_hours": {"es": "Horario", "en": "Opening hours"},
    "suggest_contact": {"es": "Contacto", "en": "Contact"},
    "suggest_how_known": {"es": "¿Cómo lo conoce?", "en": "How do you know it?"},
    "suggest_send": {"es": "Enviar sugerencia", "en": "Send suggestion"},
    "suggest_rate_limited": {
        "es": "Ya envió {n} sugerencias en la última hora; espere un poco antes de enviar otra.",
        "en": "You sent {n} suggestions in the last hour; please wait a little before sending another.",
    },
    "suggest_saved": {
        "es": "Guardado: «{name}» espera la revisión de una persona moderadora.",
        "en": "Saved: “{name}” is waiting for a moderator's review.",
    },
    "moderation_disabled": {
        "es": "La moderación está desactivada: no hay cuentas de moderación. Cree una con «python -m geo moderator add NOMBRE».",
        "en": "Moderation is off: there are no moderator accounts. Create one with “python -m geo moderator add NAME”.",
    },
    "moderation_legacy_setting": {
        "es": "CARE_ATLAS_MODERATOR_PASSWORD_HASH está obsoleta: solo permite entrar como la cuenta «moderator». Cree una cuenta por persona («python -m geo moderator add NOMBRE») y quite esa variable.",
        "en": "CARE_ATLAS_MODERATOR_PASSWORD_HASH is deprecated: it signs in only as the account “moderator”. Create one account per person (“python -m geo moderator add NAME”) and unset it.",
    },
    "moderation_store_error": {
        "es": "No se puede abrir el almacén de sugerencias ahora; la moderación no está disponible. Inténtelo más tarde.",
        "en": "The suggestions store cannot be opened now, so moderation is unavailable. Try again later.",
    },
    "moderation_sign_in_log": {"es": "Registro de accesos", "en": "Sign-in log"},
    "moderation_signed_in": {"es": "Sesión de moderación: {name}", "en": "Moderating as {name}"},
    "moderation_sign_out": {"es": "Cerrar sesión", "en": "Sign out"},
    "moderation_empty": {"es": "No hay sugerencias pendientes.", "en": "No suggestions waiting."},
    "moderation_audit": {"es": "Registro de acciones", "en": "Audit log"},
    "moderation_name": {
        "es": "Cuenta de moderación",
        "en": "Moderator account",
    },
    "moderation_password": {"es": "Contraseña", "en": "Password"},
    "moderation_sign_in": {"es": "Entrar", "en": "Sign in"},
    "moderation_wait": {
        "es": "Demasiados intentos: espere {seconds} s.",
        "en": "Too many attempts: wait {seconds} s.",
    },
    "moderation_failed": {
        "es": "Nombre o contraseña incorrectos.",
        "en": "Wrong name or password.",
    },
    "moderation_submitted": {"es": "Enviado", "en": "Submitted"},
    "moderation_duplicates": {
        "es": "Posible duplicado (nombre parecido a menos de 100 m): {names}",
        "en": "Likely duplicate (similar name within 100 m): {names}",
    },
    "moderation_approve": {"es": "Aprobar", "en": "Approve"},
    "moderation_save_edit": {"es": "Guardar cambios", "en": "Save changes"},
    "moderation_reject": {"es": "Rechazar", "en": "Reject"},
    "moderation_done_approve": {"es": "Aprobado y publicado.", "en": "Approved and published."},
    "moderation_done_edit": {"es": "Cambios guardados.", "en": "Changes saved."},
    "moderation_done_reject": {"es": "Rechazado.", "en": "Rejected."},
    "community_sourced": {"es": "Aporte de la comunidad", "en": "Community-sourced"},
    "last_verified": {"es": "verificado el {date}", "en": "last verified {date}"},
    "community_layer": {"es": "Aportes de la comunidad", "en": "Community contributions"},
    "my_layers_title": {"es": "Mis capas", "en": "My layers"},
    "page_near": {"es": "Cerca de mí", "en": "Near me"},
    "walk_streets": {
        "es": "≈ {metres} m caminando por las calles",
        "en": "≈ {metres} m walking along the streets",
    },
    "gaps_distance": {"es": "Distancia", "en": "Distance"},
    "gaps_distance_straight": {"es": "Línea recta × rodeo", "en": "Straight line × detour"},
    "gaps_distance_network": {"es": "Caminando por las calles", "en": "Walking the streets"},
    "gaps_no_network": {
        "es": "No hay red de calles cargada: ponga un extracto de OpenStreetMap (.osm.pbf) en data/networks/ o use «python -m geo fetch-osm».",
        "en": "No street network loaded: put an OpenStreetMap extract (.osm.pbf) in data/networks/ or use “python -m geo fetch-osm”.",
    },
    "gaps_network_loaded": {
        "es": "Red de calles: {nodes} nodos ({source}).",
        "en": "Street network: {nodes} nodes ({source}).",
    },
    "gaps_vs_straight": {
        "es": "{points} pts frente a línea recta",
        "en": "{points} pts vs straight line",
    },
    "near_no_hours": {
        "es": "Estos datos todavía no tienen horarios: no podemos decir qué está abierto ahora.",
        "en": "These data have no opening hours yet: we cannot tell what is open now.",
    },
    "near_title": {"es": "Cerca de mí: servicios de cuidado", "en": "Near me: care services"},
    "near_intro": {
        "es": "Encuentre los lugares más cercanos que cuidan a niñas y niños, a personas mayores o con discapacidad, o que ofrecen a quien cuida descanso, formación, certificación o asesoría jurídica.",
        "en": "Find the nearest places that look after children, older persons or persons with disabilities, or that offer carers rest, training, certification or legal aid.",
    },
    "near_where": {
        "es": "¿Dónde está? Escriba un barrio, una localidad, un lugar, una ciudad o una dirección",
        "en": "Where are you? Type a neighbourhood, a localidad, a place, a city or an address",
    },
    "near_where_placeholder": {
        "es": "Por ejemplo: Ciudad Bolívar, Manitas o Calle 59D Sur # 85-28",
        "en": "For example: Ciudad Bolívar, Manitas or Calle 59D Sur # 85-28",
    },
    "near_did_you_mean": {"es": "¿Quiso decir…?", "en": "Did you mean…?"},
    "near_unknown_place": {
        "es": "No encontramos ese lugar. Pruebe con otro nombre o con su localidad (el nombre o el número, como «localidad 19»), use su ubicación o toque el mapa donde está.",
        "en": "We could not find that place. Try another name or your localidad (its name or number, such as 'localidad 19'), use your location or tap the map where you are.",
    },
    "near_locate": {"es": "Usar mi ubicación", "en": "Use my location"},
    "near_locate_asking": {
        "es": "Pidiendo su ubicación al navegador…",
        "en": "Asking your browser for your location…",
    },
    "near_locate_found": {"es": "Ubicación encontrada.", "en": "Location found."},
    "near_locate_denied": {
        "es": "No dio permiso para usar su ubicación. Escriba un lugar o toque el mapa.",
        "en": "Location permission was not given. Type a place or tap the map.",
    },
    "near_locate_unavailable": {
        "es": "Su ubicación no está disponible. Escriba un lugar o toque el mapa.",
        "en": "Your location is not available. Type a place or tap the map.",
    },
    "near_my_location": {"es": "Mi ubicación", "en": "My location"},
    "near_for_whom": {"es": "¿A quién cuida?", "en": "Who do you care for?"},
    "near_what": {"es": "¿Qué necesita?", "en": "What do you need?"},
    "near_open_now": {
        "es": "Solo abiertos ahora (si se sabe el horario)",
        "en": "Open now only (where hours are known)",
    },
    "near_choose_place": {
        "es": "Escriba un lugar, use su ubicación o toque el mapa para ver los servicios más cercanos.",
        "en": "Type a place, use your location or tap the map to see the nearest services.",
    },
    "near_results_for": {"es": "Los más cercanos a {place}", "en": "Nearest to {place}"},
    "near_nothing": {
        "es": "Ningún servicio cumple lo que pidió. Quite algún filtro.",
        "en": "No service matches what you asked for. Remove a filter.",
    },
    "near_far": {
        "es": "El más cercano, «{name}», está lejos: unos {minutes} minutos a pie. Se lo mostramos igual.",
        "en": "The nearest, “{name}”, is far: about {minutes} minutes on foot. We show it anyway.",
    },
    "near_bus_nearer": {
        "es": "Un Bus del Cuidado para más cerca: «{name}», a unos {minutes} minutos a pie.",
        "en": "A care bus stops nearer: “{name}”, about {minutes} minutes on foot.",
    },
    "near_map_hint": {
        "es": "El círculo muestra unos {minutes} minutos a pie. Toque el mapa para buscar desde otro punto.",
        "en": "The circle shows about {minutes} minutes on foot. Tap the map to search from another point.",
    },
    "address_found": {
        "es": "Dirección encontrada: {matched} ({precision}; puede estar a unos {error} m).",
        "en": "Address found: {matched} ({precision}; it may be off by about {error} m).",
    },
    "address_also": {
        "es": "También existe {also}: si se refería a esa, escríbala con «Sur» o «Este».",
        "en": 'There is also {also}: if you meant that one, type it with "Sur" or "Este".',
    },
    "address_not_found": {
        "es": (
            "No encontramos esa dirección. Pruebe así: «Calle 59D Sur # 85-28», «Cra 7 # 32-16» "
            "o «Calle 26 con Carrera 7»; o escriba el nombre del barrio, o toque el mapa."
        ),
        "en": (
            'We could not find that address. Try it like this: "Calle 59D Sur # 85-28", '
            '"Cra 7 # 32-16" or "Calle 26 con Carrera 7"; or type the neighbourhood\'s '
            "name, or tap the map."
        ),
    },
    "address_needs_atlas": {
        "es": (
            "La búsqueda por dirección necesita el atlas oficial de Bogotá (con las placas "
            "domiciliarias de IDECA); estos son datos de muestra. Escriba el nombre del barrio "
            "o toque el mapa."
        ),
        "en": (
            "Address search needs Bogotá's official atlas (with IDECA's house-number points); "
            "this is sample data. Type the neighbourhood's name or tap the map."
        ),
    },
    "address_find": {
        "es": "…o por su dirección (p. ej. Calle 59D Sur # 85-28)",
        "en": "…or by its address (e.g. Calle 59D Sur # 85-28)",
    },
    "address_precision_plate": {"es": "placa oficial", "en": "official house number"},
    "address_precision_interpolated": {
        "es": "interpolada entre placas vecinas",
        "en": "interpolated between neighbouring house numbers",
    },
    "address_precision_intersection": {
        "es": "esquina de las dos calles",
        "en": "corner of the two streets",
    },
    "address_precision_street": {"es": "sobre la calle", "en": "on the street"},
    "near_point_on_map": {
        "es": "el punto que tocó en el mapa",
        "en": "the point you tapped on the map",
    },
    "near_print_share": {
        "es": "Para imprimir esta lista use la opción Imprimir del navegador; para compartirla, copie la dirección de la página.",
        "en": "To print this list use your browser's Print; to share it, copy the page address.",
    },
    "near_offers": {"es": "Ofrece", "en": "Offers"},
    "near_serves": {"es": "Cuida a", "en": "Cares for"},
    "near_hours": {"es": "Horario", "en": "Hours"},
    "near_open": {"es": "abierto ahora", "en": "open now"},
    "near_closed": {"es": "cerrado ahora", "en": "closed now"},
    "near_hours_unknown": {"es": "horario no conocido", "en": "hours not known"},
    "near_contact": {"es": "Contacto", "en": "Contact"},
    "near_distance": {
        "es": "A {metres} m en línea recta, unos {walk} m y {minutes} min a pie",
        "en": "{metres} m in a straight line, about {walk} m and {minutes} min on foot",
    },
    "near_distance_streets": {
        "es": "A {metres} m en línea recta, {walk} m y {minutes} min caminando por las calles",
        "en": "{metres} m in a straight line, {walk} m and {minutes} min walking the streets",
    },
    "near_open_map_app": {"es": "Abrir en mi app de mapas", "en": "Open in my map app"},
    "near_directions": {"es": "Cómo llegar (con internet)", "en": "Directions (online)"},
    "near_you_are_here": {"es": "Usted está aquí", "en": "You are here"},
    "near_legend_results": {
        "es": "Lugares más cercanos (números de la lista)",
        "en": "Nearest places (numbers as in the list)",
    },
    "near_legend_zone": {"es": "Hasta {minutes} min a pie", "en": "Within {minutes} min on foot"},
    "walk_header": {"es": "Caminatas", "en": "Walking"},
    "walk_show": {"es": "Mostrar zonas a pie", "en": "Show walking zones"},
    "walk_minutes": {"es": "Minutos a pie", "en": "Minutes on foot"},
    "walk_profile": {"es": "Quién camina", "en": "Who is walking"},
    "walk_radius": {
        "es": "≈ {metres} m en línea recta (rodeo de las calles incluido)",
        "en": "≈ {metres} m in a straight line (street detour included)",
    },
    "catchments": {"es": "Zonas a pie", "en": "Walking zones"},
    "legend_countries": {"es": "Países", "en": "Countries"},
    "selected": {"es": "Lugar seleccionado", "en": "Selected place"},
    "yes": {"es": "Sí", "en": "Yes"},
    "facts_compilation": {
        "es": "Recopilación de fuentes públicas de Care Atlas",
        "en": "Care Atlas compilation of public sources",
    },
    "no": {"es": "No", "en": "No"},
    "select_hint": {
        "es": "Haga clic en un punto del mapa para ver aquí su ficha completa.",
        "en": "Click a point on the map to see its full record here.",
    },
    "selection_gone": {
        "es": "El lugar seleccionado ya no está en el mapa con estos filtros.",
        "en": "The selected place is no longer on the map with these filters.",
    },
    "field": {"es": "Campo", "en": "Field"},
    "kind_field": {"es": "Tipo", "en": "Type"},
    "description": {"es": "Descripción", "en": "Description"},
    "value": {"es": "Valor", "en": "Value"},
    "services": {"es": "Servicios", "en": "Services"},
    "populations": {"es": "Atiende a", "en": "Serves"},
    "operator": {"es": "Quién lo presta", "en": "Run by"},
    "source": {"es": "Fuente", "en": "Source"},
    "precision": {"es": "Precisión de la ubicación", "en": "Location precision"},
    "layer": {"es": "Capa", "en": "Layer"},
    "about_layers": {"es": "Sobre las capas", "en": "About the layers"},
    "licence": {"es": "Licencia", "en": "Licence"},
    "date": {"es": "Fecha", "en": "Date"},
    "features": {"es": "Elementos", "en": "Features"},
    "catalogue_note": {
        "es": "Servicios del catálogo distrital, no la oferta verificada de esta manzana.",
        "en": "District catalogue of services, not this block's verified offer.",
    },
    "region_title": {"es": "Cuidado en la región", "en": "Care across the region"},
    "region_intro": {
        "es": (
            "Cooperativas y experiencias de economía social y solidaria, instituciones de "
            "formación y certificación de personas cuidadoras, y sistemas nacionales de cuidado."
        ),
        "en": (
            "Cooperatives and social and solidarity economy initiatives, institutions that train "
            "and certify carers, and national care systems."
        ),
    },
    "offer_title": {
        "es": "Oferta de formación y certificación (2023)",
        "en": "Training and certification offer (2023)",
    },
    "offer_note": {
        "es": (
            "Una fila por norma, perfil o curso, según el informe OIT/Cinterfor (Tabla 1 y "
            "Anexos 1 y 2), de nueve países: los ocho del Anexo 1 (Argentina, Bolivia, Chile, "
            "Colombia, Costa Rica, El Salvador, México y Uruguay) y la República Dominicana, "
            "cuyo curso solo aparece en el Anexo 2 y el Recuadro 9. Ordene con un clic en el "
            "encabezado de una columna."
        ),
        "en": (
            "One row per standard, profile or course, from the ILO/Cinterfor report (Table 1 "
            "and Annexes 1 and 2), in nine countries: the eight of Annex 1 (Argentina, Bolivia, "
            "Chile, Colombia, Costa Rica, El Salvador, Mexico and Uruguay) and the Dominican "
            "Republic, whose course appears only in Annex 2 and Box 9. Sort by clicking a "
            "column header."
        ),
    },
    "offer_legend": {
        "es": (
            "«n. a.»: el informe dice «no aplica». Celda vacía: el informe no da el dato. "
            "† Clasificación del Atlas del Cuidado, no del informe (que solo dice que trabajó "
            "«principalmente con instituciones públicas» y no clasifica todas las normas por "
            "población)."
        ),
        "en": (
            "'n. a.': the report says 'not applicable'. Empty cell: the report does not give "
            "the figure. † Care Atlas's classification, not the report's (the report only says "
            "it worked 'mainly with public institutions' and does not classify every standard "
            "by population)."
        ),
    },
    "offer_notes_title": {"es": "Notas de la tabla", "en": "Notes to the table"},
    "offer_na": {
        "es": "n. a. (no aplica, según el informe)",
        "en": "n. a. (not applicable, per the report)",
    },
    "offer_type": {"es": "Tipo de servicio", "en": "Type of service"},
    "offer_rows": {
        "es": "{n} de {total} normas o cursos",
        "en": "{n} of {total} standards or courses",
    },
    "col_country": {"es": "País", "en": "Country"},
    "col_institution": {"es": "Institución", "en": "Institution"},
    "col_standard": {"es": "Norma, perfil o curso", "en": "Standard, profile or course"},
    "col_type": {"es": "Tipo", "en": "Type"},
    "col_programme_hours": {"es": "Horas de formación", "en": "Programme hours"},
    "col_work_hours": {"es": "Horas de experiencia laboral", "en": "Work-experience hours"},
    "col_requirements": {"es": "Requisitos de ingreso", "en": "Entry requirements"},
    "col_populations": {"es": "Población atendida", "en": "Population served"},
    "col_duration": {
        "es": "Duración del proceso de certificación",
        "en": "Duration of the certification process",
    },
    "col_operator": {"es": "Quién lo presta", "en": "Run by"},
    "col_notes": {"es": "Notas", "en": "Notes"},
    "download_csv": {"es": "Descargar CSV", "en": "Download CSV"},
    "institutions_offer": {"es": "{n} normas o cursos", "en": "{n} standards or courses"},
    "map_label": {"es": "Mapa", "en": "Map"},
    "load_error": {
        "es": "No se pudo cargar la capa «{layer}»: {error}",
        "en": "The layer “{layer}” could not be loaded: {error}",
    },
    "tiles_on": {
        "es": "Mapa base en línea activado (CARE_ATLAS_TILES).",
        "en": "Online basemap enabled (CARE_ATLAS_TILES).",
    },
    # community places are read from the store for the area in view, not all at once
    "places_in_view": {
        "es": (
            "Los aportes de la comunidad se cargan para el área en vista ({n} aquí). "
            "Si mueve el mapa a otra zona, pulse «Cargar lugares de esta vista»."
        ),
        "en": (
            "Community places are loaded for the area in view ({n} here). "
            "If you move the map to another area, press “Load places in this view”."
        ),
    },
    "places_in_view_capped": {
        "es": (
            "Hay más de {n} aportes de la comunidad en esta área; se muestran los {n} primeros. "
            "Acerque el mapa y pulse «Cargar lugares de esta vista» para verlos todos."
        ),
        "en": (
            "There are more than {n} community places in this area; the first {n} are shown. "
            "Zoom in and press “Load places in this view” to see them all."
        ),
    },
    "places_load_view": {"es": "Cargar lugares de esta vista", "en": "Load places in this view"},
    "places_no_view": {
        "es": "No se pudo leer la posición del mapa. Mueva el mapa y vuelva a intentarlo.",
        "en": "The map's position could not be read. Move the map and try again.",
    },
    "store_error": {
        "es": (
            "la base de datos no responde. Vuelva a intentarlo en un momento o avise a quien "
            "administra el sitio (el motivo está en su registro)."
        ),
        "en": (
            "the database is not answering. Try again in a moment or tell whoever runs this "
            "site (the reason is in its log)."
        ),
    },
    "suggest_store_error": {
        "es": "No se pudo guardar la sugerencia: {error}",
        "en": "The suggestion could not be saved: {error}",
    },
    "moderation_queue_error": {
        "es": "No se puede mostrar la cola de moderación: {error}",
        "en": "The moderation queue cannot be shown: {error}",
    },
    "store_unavailable": {
        "es": (
            "No se pudieron cargar los aportes de la comunidad: la base de datos no responde. "
            "Los demás lugares se muestran; vuelva a intentarlo en un momento o avise a quien "
            "administra el sitio (el motivo está en su registro)."
        ),
        "en": (
            "Community places could not be loaded: the database is not answering. The other "
            "places are shown; try again in a moment or tell whoever runs this site (the "
            "reason is in its log)."
        ),
    },
    "moderation_queue_count": {
        "es": "{n} sugerencias pendientes; se muestran de la {first} a la {last}.",
        "en": "{n} suggestions waiting; showing {first} to {last}.",
    },
    "moderation_page": {"es": "Página", "en": "Page"},
    # National runs page (Dask engine results)
    "nat_page": {"es": "Escala nacional", "en": "National runs"},
    "nat_title": {"es": "Brechas a escala nacional", "en": "Care gaps at national scale"},
    "nat_intro": {
        "es": (
            "Resultados del motor Dask: el mismo análisis de brechas que en la página Brechas, "
            "calculado por partes sobre una grilla de demanda guardada en disco, para un país "
            "entero. Elija una corrida terminada."
        ),
        "en": (
            "Results of the Dask engine: the same gap analysis as on the Gaps page, computed "
            "piece by piece over a demand grid kept on disk, for a whole country. Pick a "
            "finished run."
        ),
    },
    "nat_runs_dir": {
        "es": (
            "Corridas leídas de la carpeta de resultados que fija quien administra el sitio "
            "(variable CARE_ATLAS_RESULTS_DIR)."
        ),
        "en": (
            "Runs are read from the results folder set by whoever runs this site "
            "(CARE_ATLAS_RESULTS_DIR)."
        ),
    },
    "nat_pick": {"es": "Corrida", "en": "Run"},
    "nat_run_option": {
        "es": "{name} · {date} · {cells} celdas",
        "en": "{name} · {date} · {cells} cells",
    },
    "nat_run_option_damaged": {
        "es": "{name} · {date} · no se puede leer",
        "en": "{name} · {date} · cannot be read",
    },
    "nat_none": {
        "es": (
            "Todavía no hay corridas en esta carpeta. Una corrida nacional se hace con la línea "
            "de comandos (puede tardar horas para un país) o, para probar, con el botón «Correr "
            "la muestra en Dask» de la barra lateral. Desde una terminal, en la carpeta del "
            "proyecto:"
        ),
        "en": (
            "There are no runs in this folder yet. A national run is made from the command line "
            "(it can take hours for a country) or, to try it out, with the button «Run the "
            "bundled sample on Dask» in the sidebar. From a terminal, in the project folder:"
        ),
    },
    "nat_cmd_sample": {
        "es": "# la muestra de Bogotá (unos segundos)",
        "en": "# the bundled Bogotá sample (a few seconds)",
    },
    "nat_cmd_country": {
        "es": "# un país sintético de 10 millones de celdas de 100 m: primero la grilla, luego la corrida",
        "en": "# a synthetic country of 10 million 100 m cells: first the grid, then the run",
    },
    "nat_damaged": {
        "es": (
            "No se puede leer la corrida «{name}»: faltan archivos o están dañados (el motivo "
            "está en el registro del servidor). Elija otra o vuelva a correrla."
        ),
        "en": (
            "The run '{name}' cannot be read: files are missing or damaged (the reason is in "
            "the server's log). Pick another one or run it again."
        ),
    },
    "nat_model_recorded": {
        "es": "**Demanda modelada o sintética, no un censo.** Nota guardada con la corrida (en inglés): {note}",
        "en": "**Modelled or synthetic demand, not a census.** Note recorded with the run: {note}",
    },
    "nat_m_cells": {"es": "Celdas de demanda", "en": "Demand cells"},
    "nat_m_cells_help": {
        "es": "Celdas de {cell} m con población, repartidas en {parts} particiones.",
        "en": "Cells of {cell} m with people in them, in {parts} partitions.",
    },
    "nat_m_services": {"es": "Servicios", "en": "Services"},
    "nat_m_areas_help": {
        "es": "Grupos de celdas vecinas sin ningún servicio a su alcance.",
        "en": "Groups of neighbouring cells with no service within reach.",
    },
    "nat_m_largest": {"es": "Zona más grande (km²)", "en": "Largest area (km²)"},
    "nat_m_largest_help": {
        "es": "{people} personas de los grupos (una persona cuenta una vez por grupo).",
        "en": "{people} people in the groups (a person counts once per group).",
    },
    "nat_m_groups": {
        "es": "Personas sin ningún servicio a su alcance, por grupo",
        "en": "People with no service within reach, by group",
    },
    "nat_m_group_help": {
        "es": "{pct} % de {population} tienen un servicio a su alcance.",
        "en": "{pct}% of {population} have a service within reach.",
    },
    "nat_params": {
        "es": (
            "{minutes} min a pie ({profile}) = {radius} m en línea recta · celdas de {cell} m · "
            "{crs} · trabajadores Dask: {workers} · particiones: {partitions} · tiempo: {seconds} s"
        ),
        "en": (
            "{minutes} min on foot ({profile}) = {radius} m in a straight line · {cell} m cells "
            "· {crs} · Dask workers: {workers} · partitions: {partitions} · time: {seconds} s"
        ),
    },
    "nat_provenance": {
        "es": "Procedencia de la demanda y tiempos",
        "en": "Where the demand comes from, and timings",
    },
    "nat_precision": {"es": "Precisión", "en": "Precision"},
    "nat_model": {"es": "Modelo", "en": "Model"},
    "nat_demand_path": {"es": "Grilla de demanda", "en": "Demand grid"},
    "nat_engine": {"es": "Motor", "en": "Engine"},
    "nat_stage_seconds": {"es": "Tiempo por etapa", "en": "Time per stage"},
    "nat_map_title": {
        "es": "Las {n} zonas sin servicio con más personas",
        "en": "The {n} unserved areas with the most people",
    },
    "nat_map_note": {
        "es": (
            "Cada rectángulo es la caja que contiene una zona sin servicio, no su forma: a esta "
            "escala solo se guardan sus cifras. Color: personas fuera de alcance (escala "
            "logarítmica); pase el cursor para ver el detalle."
        ),
        "en": (
            "Each rectangle is the box around an unserved area, not its shape: at this scale "
            "only its figures are kept. Colour: people out of reach (log scale); hover for "
            "details."
        ),
    },
    "nat_legend_extent": {"es": "Extensión de la grilla", "en": "Extent of the grid"},
    "nat_bar_title": {"es": "Personas fuera de alcance", "en": "People out of reach"},
    "nat_bar_unit": {
        "es": "por zona, suma de los grupos; escala log.",
        "en": "per area, sum of the groups; log scale",
    },
    "nat_tip_cells": {"es": "{n} celdas · {km2} km²", "en": "{n} cells · {km2} km²"},
    "nat_tip_people": {"es": "Personas de los grupos: {n}", "en": "People in the groups: {n}"},
    "nat_no_areas": {
        "es": "Ninguna zona sin servicio: todas las celdas tienen un servicio a su alcance.",
        "en": "No unserved areas: every cell has a service within reach.",
    },
    "nat_tab_zones": {"es": "Por zona", "en": "By zone"},
    "nat_col_zone": {"es": "Zona", "en": "Zone"},
    "nat_col_cells": {"es": "Celdas", "en": "Cells"},
    "nat_col_people": {"es": "Personas (suma de grupos)", "en": "People (sum of groups)"},
    "nat_areas_shown": {
        "es": "Se muestran las primeras {shown} de {total} zonas; el CSV trae todas.",
        "en": "Showing the first {shown} of {total} areas; the CSV has them all.",
    },
    "nat_no_zones": {
        "es": "Esta corrida no se dividió por zonas.",
        "en": "This run was not split by zones.",
    },
    "nat_total": {"es": "Población total", "en": "Total population"},
    "nat_sample_header": {"es": "Nueva corrida", "en": "New run"},
    "nat_sample_help": {
        "es": (
            "Corre la muestra de Bogotá con el motor Dask en segundo plano: la página sigue "
            "disponible y la corrida aparece en la lista al terminar."
        ),
        "en": (
            "Runs the bundled Bogotá sample on the Dask engine in the background: the page stays "
            "usable and the run appears in the list when it is done."
        ),
    },
    "nat_sample_run": {"es": "Correr la muestra en Dask", "en": "Run the bundled sample on Dask"},
    "nat_job_starting": {
        "es": "Arrancando el clúster Dask… {seconds} s",
        "en": "Starting the Dask cluster… {seconds} s",
    },
    "nat_job_running": {
        "es": "{stage}: {done} de {total} · {seconds} s",
        "en": "{stage}: {done} of {total} · {seconds} s",
    },
    "nat_stage_pass1": {"es": "Paso 1 de 2", "en": "Pass 1 of 2"},
    "nat_stage_pass2": {"es": "Paso 2 de 2", "en": "Pass 2 of 2"},
    "nat_stage_median": {"es": "Medianas exactas", "en": "Exact medians"},
    "nat_stage_grid": {"es": "Grilla", "en": "Grid"},
    "nat_job_cancel": {"es": "Cancelar la corrida", "en": "Cancel the run"},
    "nat_job_cancelled": {
        "es": "Corrida cancelada; no se guardó nada.",
        "en": "Run cancelled; nothing was saved.",
    },
    "nat_job_failed": {"es": "La corrida falló: {error}", "en": "The run failed: {error}"},
    "nat_job_done": {
        "es": "Corrida lista: {name} ({seconds} s).",
        "en": "New run ready: {name} ({seconds} s).",
    },
    "nat_dashboard": {"es": "Panel de Dask", "en": "Dask dashboard"},
    "nat_dashboard_help": {
        "es": "El panel de Dask se sirve en la máquina del servidor: {url}",
        "en": "The Dask dashboard is served on the server machine: {url}",
    },
}

VOCABULARY: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "kind": {
        "care_block": {"es": "Manzana del Cuidado", "en": "Care block"},
        "care_bus": {"es": "Bus del Cuidado", "en": "Care bus stop"},
        "home_care": {"es": "Cuidado a domicilio", "en": "Home care"},
        "cooperative": {"es": "Cooperativa / ESS", "en": "Cooperative / SSE"},
        "training": {"es": "Formación y certificación", "en": "Training and certification"},
        "policy": {"es": "Sistema o política nacional", "en": "National system or policy"},
        "community": {"es": "Aporte de la comunidad", "en": "Community contribution"},
        "user": {"es": "Mi capa", "en": "My layer"},
        "proposed": {"es": "Sitio nuevo (escenario)", "en": "New site (scenario)"},
        "suggested": {"es": "Sitio sugerido", "en": "Suggested site"},
        "candidate": {"es": "Punto candidato", "en": "Candidate point"},
        "boundary": {"es": "Límite", "en": "Boundary"},
        "service": {"es": "Servicio social del Distrito", "en": "District care service"},
        "proposal": {"es": "Sitio propuesto (estudio)", "en": "Proposed site (study)"},
        "demand": {"es": "Demanda (personas por celda)", "en": "Demand (people per cell)"},
    },
    "services": {
        "child_care": {"es": "Cuidado infantil", "en": "Child care"},
        "older_care": {"es": "Personas mayores", "en": "Older persons' care"},
        "disability_care": {"es": "Personas con discapacidad", "en": "Disability care"},
        "respite": {"es": "Respiro y autocuidado", "en": "Respite and self-care"},
        "training": {"es": "Formación", "en": "Training"},
        "certification": {"es": "Certificación", "en": "Certification"},
        "schooling": {"es": "Terminar estudios", "en": "Finishing school"},
        "employment": {"es": "Orientación para el empleo", "en": "Employment guidance"},
        "legal_aid": {"es": "Asesoría jurídica", "en": "Legal aid"},
        "psychosocial": {"es": "Apoyo psicosocial", "en": "Psychosocial support"},
        "laundry": {"es": "Lavandería comunitaria", "en": "Community laundry"},
        "mens_school": {"es": "Escuela de Hombres al Cuidado", "en": "Men's care school"},
        "home_care": {"es": "Cuidado a domicilio", "en": "Home care"},
        "midwifery": {"es": "Partería", "en": "Midwifery"},
        "ancestral_care": {"es": "Cuidado ancestral", "en": "Ancestral care"},
        "personal_assistance": {"es": "Asistencia personal", "en": "Personal assistance"},
        "community_care": {"es": "Cuidado comunitario", "en": "Community care"},
        "care_info": {"es": "Información sobre cuidados", "en": "Care information"},
    },
    "populations": {
        "children": {"es": "Primera infancia", "en": "Early childhood"},
        "older": {"es": "Personas mayores", "en": "Older persons"},
        "disability": {"es": "Personas con discapacidad", "en": "Persons with disabilities"},
        "carers": {"es": "Personas cuidadoras", "en": "Carers"},
        "households": {"es": "Hogares (trabajo doméstico)", "en": "Households (domestic work)"},
    },
    # The training offer's populations: wider than the Bogotá demand groups (where
    # "children" is early childhood, 0-5), because its standards also cover school-age
    # children and adolescents (e.g. CONOCER EC0886: girls and boys aged 4 to 12).
    "offer_populations": {
        "children": {"es": "Niñas, niños y adolescentes", "en": "Children and adolescents"},
    },
    "operator": {
        "public": {"es": "Público", "en": "Public"},
        "cooperative": {"es": "Cooperativa", "en": "Cooperative"},
        "community": {"es": "Comunitario", "en": "Community"},
        "mixed": {"es": "Mixto", "en": "Mixed"},
        "foundation": {"es": "Fundación", "en": "Foundation"},
    },
    "category": {
        "jardin_infantil": {"es": "Jardín infantil", "en": "Nursery (jardín infantil)"},
        "centro_dia": {
            "es": "Centro Día / Centro Noche (personas mayores)",
            "en": "Day / night centre (older persons)",
        },
        "cdc": {
            "es": "Centro de Desarrollo Comunitario (CDC)",
            "en": "Community development centre (CDC)",
        },
        "casa_igualdad": {
            "es": "Casa de Igualdad de Oportunidades para las Mujeres (CIO)",
            "en": "Women's equal opportunities house (CIO)",
        },
        "disability_children": {
            "es": "Centro para niñas, niños y adolescentes con discapacidad",
            "en": "Centre for children and adolescents with disabilities",
        },
        "disability_adults": {
            "es": "Centro para personas adultas con discapacidad (Integrarte)",
            "en": "Centre for adults with disabilities (Integrarte)",
        },
        "comedor": {"es": "Comedor comunitario", "en": "Community kitchen (comedor comunitario)"},
        "centro_amar": {
            "es": "Centro Amar (niñez en riesgo de trabajo infantil)",
            "en": "Centro Amar (children at risk of child labour)",
        },
        "centro_proteger": {
            "es": "Centro Proteger (protección de niñas, niños y adolescentes, 24 h)",
            "en": "Centro Proteger (residential child protection, 24 h)",
        },
        "creciendo_familia": {
            "es": "Creciendo en Familia (educación inicial con la familia)",
            "en": "Creciendo en Familia (early education with the family)",
        },
    },
    "location_precision": {
        "exact": {"es": "exacta", "en": "exact"},
        "address": {"es": "dirección", "en": "address"},
        "neighbourhood": {
            "es": "barrio (aprox. 0,5–2 km)",
            "en": "neighbourhood (approx. 0.5–2 km)",
        },
        "city": {"es": "ciudad (centro de la ciudad)", "en": "city (city centre)"},
    },
    "service_type": {
        "training": {"es": "Formación", "en": "Training"},
        "certification": {"es": "Certificación", "en": "Certification"},
        "training;certification": {
            "es": "Formación y certificación",
            "en": "Training and certification",
        },
    },
    # Field names of the data columns, for the side panel and the tables.
    "columns": {
        "id": {"es": "Identificador", "en": "Identifier"},
        "city": {"es": "Ciudad", "en": "City"},
        "localidad": {"es": "Localidad", "en": "Localidad (district)"},
        "anchor": {"es": "Equipamiento ancla", "en": "Anchor facility"},
        "opened": {"es": "Apertura", "en": "Opened"},
        "block_number": {"es": "Número en esta muestra", "en": "Number in this sample"},
        "official_number": {"es": "Número oficial de manzana", "en": "Official block number"},
        "services_verified": {
            "es": "Oferta verificada para este lugar",
            "en": "Offer verified for this place",
        },
        "area": {"es": "Zona", "en": "Area"},
        "period": {"es": "Periodo", "en": "Period"},
        "programme_households_2023": {
            "es": "Hogares atendidos por el programa (2023)",
            "en": "Households served by the programme (2023)",
        },
        "programme_sessions_2023": {
            "es": "Sesiones del programa (2023)",
            "en": "Programme sessions (2023)",
        },
        "programme_hours_2023": {
            "es": "Horas de atención del programa (2023)",
            "en": "Programme hours of care (2023)",
        },
        "programme_certified_2023": {
            "es": "Personas cuidadoras certificadas con el SENA (2023)",
            "en": "Carers certified with SENA (2023)",
        },
        "programme_legal_consultations_2023": {
            "es": "Consultas jurídicas (2023)",
            "en": "Legal consultations (2023)",
        },
        "programme_workshops_2023": {
            "es": "Talleres «Aprender a cuidar» (2023)",
            "en": "“Learning to care” workshops (2023)",
        },
        "founded": {"es": "Fundación", "en": "Founded"},
        "members": {"es": "Personas asociadas", "en": "Members"},
        "programme": {"es": "Programa", "en": "Programme"},
        "institution": {"es": "Institución", "en": "Institution"},
        "standard": {"es": "Norma, perfil o curso", "en": "Standard, profile or course"},
        "service_type": {"es": "Tipo de servicio", "en": "Type of service"},
        "programme_hours": {"es": "Horas de formación", "en": "Programme hours"},
        "work_experience_hours": {
            "es": "Horas de experiencia laboral",
            "en": "Work-experience hours",
        },
        "entry_requirements": {"es": "Requisitos de ingreso", "en": "Entry requirements"},
        "certification_duration": {
            "es": "Duración del proceso de certificación",
            "en": "Duration of the certification process",
        },
        "operator_source": {
            "es": "Dónde dice el informe quién lo presta",
            "en": "Where the report says who runs it",
        },
        "populations_source": {
            "es": "Dónde da el informe la población atendida",
            "en": "Where the report gives the population served",
        },
        "caveats_es": {"es": "Notas (español)", "en": "Notes (Spanish)"},
        "caveats_en": {"es": "Notas (inglés)", "en": "Notes (English)"},
        "year": {"es": "Año", "en": "Year"},
        "instrument": {"es": "Instrumento", "en": "Instrument"},
        "instrument_en": {"es": "Instrumento (inglés)", "en": "Instrument (English)"},
        "n_standards": {"es": "Normas o cursos", "en": "Standards or courses"},
        "standards": {"es": "Normas, perfiles o cursos", "en": "Standards, profiles or courses"},
        "code": {"es": "Código", "en": "Code"},
        "population_2024": {"es": "Población 2024 (aprox.)", "en": "Population 2024 (approx.)"},
        "approx": {"es": "Zona aproximada", "en": "Approximate zone"},
        "iso_a2": {"es": "Código ISO", "en": "ISO code"},
        "name_es": {"es": "Nombre (español)", "en": "Name (Spanish)"},
        "name_en": {"es": "Nombre (inglés)", "en": "Name (English)"},
        "category": {"es": "Tipo de servicio", "en": "Type of service"},
        "name_raw": {"es": "Nombre publicado", "en": "Published name"},
        "address": {"es": "Dirección", "en": "Address"},
        "phone": {"es": "Teléfono", "en": "Phone"},
        "email": {"es": "Correo electrónico", "en": "Email"},
        "hours": {"es": "Horario publicado", "en": "Published opening hours"},
        "hours_known": {"es": "Horario interpretado", "en": "Opening hours understood"},
        "residential": {
            "es": "Atención residencial (internado o noche)",
            "en": "Residential care (live-in or overnight)",
        },
        "localidad_code": {"es": "Código de localidad", "en": "Localidad code"},
        "upz": {"es": "UPZ / UPR", "en": "UPZ / UPR (planning zone)"},
        "upz_code": {"es": "Código de UPZ / UPR", "en": "UPZ / UPR code"},
        "source_vintage": {"es": "Vigencia de la fuente", "en": "Source vintage"},
        "duplicates": {
            "es": "Registros idénticos fusionados",
            "en": "Identical records merged",
        },
        "sdis_code": {"es": "Código de servicio SDIS", "en": "SDIS service code"},
        "premises_code": {
            "es": "Código de propiedad del inmueble (SDIS, sin diccionario)",
            "en": "Premises tenure code (SDIS, no data dictionary)",
        },
    },
    "country": {
        "AR": {"es": "Argentina", "en": "Argentina"},
        "BO": {"es": "Bolivia", "en": "Bolivia"},
        "BR": {"es": "Brasil", "en": "Brazil"},
        "CL": {"es": "Chile", "en": "Chile"},
        "CO": {"es": "Colombia", "en": "Colombia"},
        "CR": {"es": "Costa Rica", "en": "Costa Rica"},
        "DO": {"es": "República Dominicana", "en": "Dominican Republic"},
        "HN": {"es": "Honduras", "en": "Honduras"},
        "MX": {"es": "México", "en": "Mexico"},
        "PA": {"es": "Panamá", "en": "Panama"},
        "SV": {"es": "El Salvador", "en": "El Salvador"},
        "UY": {"es": "Uruguay", "en": "Uruguay"},
    },
}


def t(key: str, lang: str, **values: object) -> str:
    """Return the interface string ``key`` in ``lang``, formatted with ``values``."""
    text = STRINGS[key][lang]
    return text.format(**values) if values else text


def label(vocabulary: str, code: str, lang: str) -> str:
    """Return the label of a data code; an unknown code is shown as itself.

    Data may carry codes the interface does not know yet (a user's layer): showing
    the code is honest and keeps the record readable.
    """
    entry = VOCABULARY[vocabulary].get(code)
    return entry[lang] if entry else code


def labels(vocabulary: str, codes: tuple[str, ...] | list[str], lang: str) -> list[str]:
    """Labels of several codes, in order."""
    return [label(vocabulary, code, lang) for code in codes]


def pick_language(requested: str | None, browser_locale: str | None, default: str) -> str:
    """Choose the interface language.

    An explicit choice (``?lang=`` or the switch) wins; else the browser's locale
    when it is Spanish or English; else ``default``.
    """
    if requested in LANGUAGES:
        return requested
    if browser_locale:
        primary = browser_locale.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return default


_FACTS_FILE = re.compile(r"Care Atlas facts file \(shared/facts/README\.md\)\s*(§\s*\d+)?")


def readable_source(text: str, lang: str) -> str:
    """A source line without the project's internal file names ("Care Atlas facts file
    (shared/facts/README.md) §1" reads "Care Atlas compilation of public sources")."""
    return _FACTS_FILE.sub(t("facts_compilation", lang), text)
