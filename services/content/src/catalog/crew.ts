/**
 * The real directors, writers and creators of the fixture titles (facts),
 * credited after their cast, so a member finds a film by who made it
 * ("nolan", "miyazaki") as by who is in it.
 */
type Credit = { name: string; role: "Director" | "Writer" | "Creator" };

const directed = (...names: string[]): Credit[] => names.map((name) => ({ name, role: "Director" }));
const written = (...names: string[]): Credit[] => names.map((name) => ({ name, role: "Writer" }));
const created = (...names: string[]): Credit[] => names.map((name) => ({ name, role: "Creator" }));

const CREW: Record<string, Credit[]> = {
  "The Godfather": [...directed("Francis Ford Coppola"), ...written("Mario Puzo")],
  "The Godfather Part II": [...directed("Francis Ford Coppola"), ...written("Mario Puzo")],
  Amélie: [...directed("Jean-Pierre Jeunet"), ...written("Guillaume Laurant")],
  "Star Wars: A New Hope": directed("George Lucas"),
  "Star Wars: The Empire Strikes Back": [
    ...directed("Irvin Kershner"),
    ...written("Leigh Brackett", "Lawrence Kasdan"),
  ],
  "Star Trek": [...directed("J. J. Abrams"), ...written("Roberto Orci", "Alex Kurtzman")],
  Stardust: [...directed("Matthew Vaughn"), ...written("Jane Goldman")],
  "Toy Story": directed("John Lasseter"),
  "Forrest Gump": [...directed("Robert Zemeckis"), ...written("Eric Roth")],
  "Cast Away": [...directed("Robert Zemeckis"), ...written("William Broyles Jr.")],
  "Saving Private Ryan": [...directed("Steven Spielberg"), ...written("Robert Rodat")],
  "The Matrix": directed("Lana Wachowski", "Lilly Wachowski"),
  "Spirited Away": directed("Hayao Miyazaki"),
  "My Neighbor Totoro": directed("Hayao Miyazaki"),
  "Pulp Fiction": directed("Quentin Tarantino"),
  "Pan's Labyrinth": directed("Guillermo del Toro"),
  "Léon: The Professional": directed("Luc Besson"),
  "The Shawshank Redemption": directed("Frank Darabont"),
  Jaws: [...directed("Steven Spielberg"), ...written("Peter Benchley")],
  Alien: [...directed("Ridley Scott"), ...written("Dan O'Bannon")],
  "Finding Nemo": directed("Andrew Stanton"),
  Frozen: directed("Chris Buck", "Jennifer Lee"),
  "The Lion King": directed("Roger Allers", "Rob Minkoff"),
  "Breaking Bad": created("Vince Gilligan"),
  "Stranger Things": created("Matt Duffer", "Ross Duffer"),
  "Planet Earth": created("Alastair Fothergill"),
  "The Office": created("Greg Daniels"),
  "City of God": directed("Fernando Meirelles", "Kátia Lund"),
  "Mad Max: Fury Road": directed("George Miller"),
  Gladiator: directed("Ridley Scott"),
  Titanic: directed("James Cameron"),
  Inception: directed("Christopher Nolan"),
  "La La Land": directed("Damien Chazelle"),
  Whiplash: directed("Damien Chazelle"),
  "The Good, the Bad and the Ugly": directed("Sergio Leone"),
  Unforgiven: [...directed("Clint Eastwood"), ...written("David Webb Peoples")],
  Rocky: [...directed("John G. Avildsen"), ...written("Sylvester Stallone")],
  "Mamma Mia!": directed("Phyllida Lloyd"),
  "The Sound of Music": directed("Robert Wise"),
  "Schindler's List": [...directed("Steven Spielberg"), ...written("Steven Zaillian")],
  "Bohemian Rhapsody": directed("Bryan Singer"),
  "Les Misérables": directed("Tom Hooper"),
  "Pokémon Detective Pikachu": directed("Rob Letterman"),
  Ratatouille: directed("Brad Bird"),
  Dark: created("Baran bo Odar", "Jantje Friese"),
  Narcos: created("Chris Brancato", "Carlo Bernard", "Doug Miro"),
  "Peppa Pig": created("Neville Astley", "Mark Baker"),
  "Free Solo": directed("Elizabeth Chai Vasarhelyi", "Jimmy Chin"),
};

/** The crew credited on a fixture title (none for generated titles). */
export function crewOf(title: string): Credit[] {
  return CREW[title] ?? [];
}
